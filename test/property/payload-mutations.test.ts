import { readdirSync } from 'node:fs';
import type { Server } from 'node:http';
import fc from 'fast-check';
import request from 'supertest';
import { FakeWecom } from '../support/fake-wecom';
import { buildApp, robotConfig, type TestApp } from '../support/build-app';
import { FIXTURES_DIR, loadFixture, rawFixture } from '../support/fixtures';

/**
 * SPEC §3: "No payload ever crashes the process or leaves it unable to serve the next request."
 * Every captured fixture is mutated at random (fields dropped, replaced by random JSON, retyped,
 * dangerous keys added) and POSTed to its own route. No answer may be 5xx, and what is accepted must
 * also be deliverable (no render failures in the worker); afterwards a valid request still gets 200.
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

const RUNS_PER_FIXTURE = Number(process.env.PROPERTY_RUNS ?? 40);

function routeOf(fixture: string): string {
  if (fixture.startsWith('grafana')) return '/webhook/grafana';
  if (fixture.startsWith('kibana')) return '/webhook/kibana';
  return '/webhook/alertmanager';
}

const fixtures = readdirSync(FIXTURES_DIR).filter((name) => name.endsWith('.json')).sort();

/** Every path in a JSON tree, root first. */
function pathsOf(value: Json, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((item, i) => pathsOf(item, [...prefix, i], out));
  else if (value !== null && typeof value === 'object') for (const key of Object.keys(value)) pathsOf(value[key], [...prefix, key], out);
  return out;
}

function getAt(root: Json, path: Path): Json {
  return path.reduce<Json>((node, key) => (node as Record<string | number, Json>)[key], root);
}

/** setOwn defines an own enumerable property, so `__proto__` becomes a real key, as JSON.parse would make it. */
function setOwn(target: Record<string, Json> | Json[], key: string | number, value: Json): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** retype turns a value into one of another JSON type that still "looks" related. */
function retype(value: Json, variant: number): Json {
  if (typeof value === 'string') return [Number(value) || value.length, [value], { value }, value === '' ? null : true][variant % 4];
  if (typeof value === 'number') return [String(value), [value], { value }, -value, value + 0.5, 1e308][variant % 6];
  if (typeof value === 'boolean') return [String(value), Number(value), [value]][variant % 3];
  if (value === null) return [{}, [], '', 0][variant % 4];
  if (Array.isArray(value)) return [Object.fromEntries(value.map((item, i) => [String(i), item])), value.length, JSON.stringify(value).slice(0, 40), [value]][variant % 4] as Json;
  return [Object.values(value), Object.keys(value).join(','), [value], Object.keys(value).length][variant % 4] as Json;
}

interface Mutation {
  kind: 'delete' | 'replace' | 'retype' | 'null' | 'addKey' | 'emptyString' | 'duplicate';
  pick: number;
  variant: number;
  value: Json;
  key: string;
}

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('delete', 'replace', 'retype', 'null', 'addKey', 'emptyString', 'duplicate'),
  pick: fc.nat(),
  variant: fc.nat(),
  value: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
  key: fc.oneof(
    fc.constantFrom('__proto__', 'constructor', 'prototype', 'status', 'labels', 'alerts', 'version', 'state', 'source', 'watch_id', 'rule', 'alert', 'startsAt', 'endsAt'),
    fc.string({ maxLength: 12 }),
  ),
});

function applyMutation(root: Json, mutation: Mutation): Json {
  const paths = pathsOf(root);
  const path = paths[mutation.pick % paths.length];
  const target = getAt(root, path);
  const replaceAt = (value: Json): Json => {
    if (path.length === 0) return value;
    setOwn(getAt(root, path.slice(0, -1)) as Record<string, Json>, path[path.length - 1], value);
    return root;
  };
  switch (mutation.kind) {
    case 'delete': {
      if (path.length === 0) return root;
      const parent = getAt(root, path.slice(0, -1));
      const key = path[path.length - 1];
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete (parent as Record<string, Json>)[key];
      return root;
    }
    case 'replace':
      return replaceAt(mutation.value);
    case 'retype':
      return replaceAt(retype(target, mutation.variant));
    case 'null':
      return replaceAt(null);
    case 'emptyString':
      return replaceAt('');
    case 'addKey':
      if (target !== null && typeof target === 'object' && !Array.isArray(target)) setOwn(target, mutation.key, mutation.value);
      else if (Array.isArray(target)) target.push(mutation.value);
      return root;
    case 'duplicate':
      if (Array.isArray(target) && target.length > 0) target.push(JSON.parse(JSON.stringify(target[mutation.variant % target.length])) as Json);
      return root;
  }
}

describe('property: mutated fixtures never produce a 5xx', () => {
  let fake: FakeWecom;
  let t: TestApp;
  let server: Server;
  const statuses = new Map<number, number>();

  beforeAll(async () => {
    fake = await new FakeWecom().start();
    t = await buildApp(
      robotConfig(fake.url, { rate_limit: { count: 10_000, per: '1m' } }, { delivery: { shutdown_grace: '1s', retry: { initial_backoff: '20ms', max_backoff: '200ms', rate_limited_backoff: '200ms' } } }),
    );
    server = t.app.listen(0, '127.0.0.1');
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await t.close();
    await fake.stop();
  });

  it.each(fixtures)('%s', async (fixture) => {
    const route = routeOf(fixture);
    const original = loadFixture(fixture) as Json;
    await fc.assert(
      fc.asyncProperty(fc.array(mutationArb, { minLength: 1, maxLength: 4 }), async (mutations) => {
        let body: Json = JSON.parse(JSON.stringify(original)) as Json;
        for (const mutation of mutations) body = applyMutation(body, mutation);
        const res = await request(server).post(route).set('Content-Type', 'application/json').send(JSON.stringify(body));
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status >= 500) throw new Error(`HTTP ${res.status} ${JSON.stringify(res.body)} for ${JSON.stringify(body).slice(0, 2000)}`);
        if (res.status === 200) expect(res.body.status).toBe('accepted');
        else {
          expect(res.status).toBe(400);
          expect(typeof res.body.error).toBe('string');
          expect(res.body.error.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: RUNS_PER_FIXTURE },
    );
    // The fixture itself is still accepted afterwards.
    const res = await request(server).post(route).set('Content-Type', 'application/json').send(rawFixture(fixture));
    expect(res.status).toBe(200);
  });

  it('kept serving, logged no internal error, and everything it accepted was deliverable', async () => {
    await request(server).get('/healthz').expect(200);
    await request(server).get('/readyz').expect(200);
    // Both 200s and 400s were exercised (the mutations are neither all harmless nor all fatal).
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(0);
    expect(t.logs.join('')).not.toMatch(/"request failed"|delivery loop failed/);
    const deadline = Date.now() + 20_000;
    while ((await t.service.store.receiversWithWork()).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await t.service.store.receiversWithWork()).toEqual([]);
    const letters = await t.service.store.deadLetters();
    expect(letters.map((letter) => `${letter.reason}: ${letter.error}`)).toEqual([]);
  });
});
