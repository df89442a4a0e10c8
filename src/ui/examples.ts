import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-root';
import { SOURCES } from '../sources/registry';

/**
 * The bundled example payloads offered in the playground. They ship with the package
 * (`examples/payloads/`, listed in package.json `files`) because the running service serves them,
 * and a checkout's test fixtures are not installed.
 */
export interface Example {
  /** File name without `.json`. */
  name: string;
  /** The source whose webhook the payload belongs to (from the file name). */
  source: string;
}

export function examplesDir(): string {
  return join(packageRoot(), 'examples', 'payloads');
}

/** listExamples: every `*.json` in the directory whose name tells its source; [] when the directory is missing. */
export function listExamples(dir: string = examplesDir()): Example[] {
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    return [];
  }
  return files
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({ name: file.slice(0, -'.json'.length), source: sourceOf(file) }))
    .filter((example): example is Example => example.source !== undefined);
}

/** readExample returns the payload text of a listed example only, so a name can never walk the file system. */
export function readExample(name: string, dir: string = examplesDir()): { example: Example; text: string } | undefined {
  const example = listExamples(dir).find((candidate) => candidate.name === name);
  return example && { example, text: readFileSync(join(dir, `${example.name}.json`), 'utf8') };
}

function sourceOf(file: string): string | undefined {
  return Object.keys(SOURCES).find((source) => file.split(/[-.]/).includes(source));
}
