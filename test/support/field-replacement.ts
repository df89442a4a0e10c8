import fc from 'fast-check';
import { HttpError } from '../../src/http/errors';

/** keyPaths lists every key path of a JSON value (objects, arrays and leaves). */
export function keyPaths(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [];
  if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      const path = [...prefix, Array.isArray(value) ? Number(key) : key];
      out.push(path, ...keyPaths(child, path));
    }
  }
  return out;
}

/** setPath replaces the value at a key path in place. */
export function setPath(target: any, path: Array<string | number>, value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) node = node[key];
  node[path[path.length - 1]] = value;
}

/**
 * assertOnlyBadRequests: replacing any one field of a fixture by random JSON never makes `parse`
 * throw anything but an HttpError 400 (a source parser's contract).
 */
export function assertOnlyBadRequests(load: () => unknown, parse: (body: unknown) => unknown, numRuns = 200): void {
  const paths = keyPaths(load());
  fc.assert(
    fc.property(fc.integer({ min: 0, max: paths.length - 1 }), fc.jsonValue({ maxDepth: 2 }), (index, replacement) => {
      const body = load();
      setPath(body, paths[index], replacement);
      try {
        parse(body);
      } catch (err) {
        return err instanceof HttpError && err.status === 400;
      }
      return true;
    }),
    { numRuns },
  );
}

/** badRequestOf runs a parser that must reject `body` and returns its HttpError 400. */
export function badRequestOf(parse: (body: unknown) => unknown, body: unknown): HttpError {
  try {
    parse(body);
  } catch (err) {
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(400);
    return err as HttpError;
  }
  throw new Error('expected a 400');
}
