import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { stringify } from 'yaml';
import { loadConfigFile } from '../../src/config/load';
import { buildApp, type TestApp } from '../support/build-app';
import { rawFixture } from '../support/fixtures';

/**
 * Issue 18: the webhook route runs its checks in one handler, keeps one body parser per limit and
 * writes its 200 without express's send path. These pin what must not move with that: the order
 * of the checks (SPEC §3: 404 source → 401 auth → 404 receiver → 415 → 413 → 400 JSON → 400
 * schema → 200), the headers of the answer, and a body limit that follows a reload.
 */
const TOKEN = 'hot-path-token-1234';
const FIXTURE = () => rawFixture('real-alertmanager-0.25-firing.json');

describe('POST /webhook/{source}: checks in order', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildApp({ server: { auth: { bearer_tokens: [TOKEN] }, body_limit: 4096 }, delivery: { dedup_window: '0s' }, receivers: [{ name: 'c', console: {} }], route: { receiver: 'c' } });
  });
  afterAll(async () => t.close());
  const post = (path: string, options: { auth?: boolean; type?: string; body?: string | Buffer } = {}) => {
    let req = request(t.app).post(path).set('Content-Type', options.type ?? 'application/json');
    if (options.auth !== false) req = req.set('Authorization', `Bearer ${TOKEN}`);
    return req.send(options.body ?? FIXTURE());
  };

  it('answers the first failing check, whatever else is wrong with the request', async () => {
    const big = Buffer.alloc(5000, ' ');
    expect((await post('/webhook/nagios/nobody', { auth: false, type: 'text/plain', body: big })).status).toBe(404);
    expect((await post('/webhook/alertmanager/nobody', { auth: false, type: 'text/plain', body: big })).status).toBe(401);
    const unknown = await post('/webhook/alertmanager/nobody', { type: 'text/plain', body: big });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toBe('unknown receiver "nobody" (configured: c)');
    expect((await post('/webhook/alertmanager/c', { type: 'text/plain', body: big })).status).toBe(415);
    expect((await post('/webhook/alertmanager/c', { body: big })).status).toBe(413);
    const malformed = await post('/webhook/alertmanager/c', { body: '{"version":' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatch(/^malformed JSON/);
    const schema = await post('/webhook/alertmanager/c', { body: JSON.stringify({ ...JSON.parse(FIXTURE().toString()), status: 'bogus' }) });
    expect(schema.status).toBe(400);
    expect(schema.body.path).toBe('status');
    expect((await post('/webhook/alertmanager/c')).status).toBe(200);
    expect((await request(t.app).get('/webhook/alertmanager').set('Authorization', `Bearer ${TOKEN}`)).status).toBe(405);
  });

  it('answers 200 with the JSON headers express would send, echoing X-Request-Id, and counts it', async () => {
    const before = await t.metricValue('wecom_adapter_webhook_requests_total', { source: 'alertmanager', code: '200' });
    const res = await post('/webhook/alertmanager').set('X-Request-Id', 'req-42');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['content-length']).toBe(String(Buffer.byteLength(res.text)));
    expect(res.headers['x-request-id']).toBe('req-42');
    expect(res.headers.etag).toBeUndefined();
    expect(JSON.parse(res.text)).toEqual({ status: 'accepted', alerts: 2, notifications: 1 });
    expect(await t.metricValue('wecom_adapter_webhook_requests_total', { source: 'alertmanager', code: '200' })).toBe(before + 1);
    const generated = await post('/webhook/alertmanager');
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('POST /webhook/{source}: the body limit follows a reload', () => {
  let dir: string;
  let t: TestApp;
  afterEach(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a body accepted under a 1 MiB limit is refused with 413 after reloading a 512-byte one, and accepted again after going back', async () => {
    dir = mkdtempSync(join(tmpdir(), 'wecom-hot-path-'));
    const file = join(dir, 'config.yaml');
    const config = (bodyLimit: string | number) => ({ server: { body_limit: bodyLimit }, receivers: [{ name: 'c', console: {} }], route: { receiver: 'c' }, storage: { path: join(dir, 'data') } });
    writeFileSync(file, stringify(config('1MiB')));
    t = await buildApp(config('1MiB'), { dir, reload: () => loadConfigFile(file, {}) });
    const post = () => request(t.app).post('/webhook/alertmanager').set('Content-Type', 'application/json').send(FIXTURE());
    expect(FIXTURE().length).toBeGreaterThan(512);
    expect((await post()).status).toBe(200);
    writeFileSync(file, stringify(config(512)));
    await request(t.app).post('/-/reload').expect(200);
    expect((await post()).status).toBe(413);
    writeFileSync(file, stringify(config('1MiB')));
    await request(t.app).post('/-/reload').expect(200);
    expect((await post()).status).toBe(200);
  });
});
