import request from 'supertest';
import { buildApp, type TestApp } from '../support/build-app';
import { rawFixture } from '../support/fixtures';
import type { SqliteOutboxStore } from '../../src/outbox/sqlite-store';
import { PROBE_EVERY_MS } from '../../src/storage/write-health';
import { waitUntil } from '../support/service-process';

/**
 * Issue 16 item 5: /readyz answers whether a webhook would be durably accepted now. Faults are
 * injected into the real SQLite connection (root ignores file permissions, so no chmod tricks):
 * `query_only` makes every write fail like a read-only file, `max_page_count` makes the file full
 * exactly as a full disk does (SQLITE_FULL). A controllable clock steps past the probe interval.
 */
const CONFIG = { receivers: [{ name: 'c', console: {} }], route: { receiver: 'c' } };

describe('readiness follows the outbox writes', () => {
  let t: TestApp;
  let now: number;
  const db = () => (t.service.store as SqliteOutboxStore).database;
  beforeEach(async () => {
    now = Date.now();
    t = await buildApp(CONFIG, { clock: () => now });
  });
  afterEach(async () => {
    await t.close().catch(() => undefined);
  });

  it('a file that refuses writes makes /readyz 503 within one probe interval, and ready again once writable', async () => {
    expect((await request(t.app).get('/readyz')).status).toBe(200);
    db().pragma('query_only = ON');
    now += PROBE_EVERY_MS;
    const ready = await request(t.app).get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.outbox).toBe('not writable');
    expect(ready.body.checks.outbox_error).toMatch(/readonly database/);
    db().pragma('query_only = OFF');
    now += PROBE_EVERY_MS;
    expect((await request(t.app).get('/readyz')).status).toBe(200);
  });

  it("a receiver whose queue cannot be read (a corrupt page) makes /readyz 503 naming the receiver, until it reads again", async () => {
    const store = t.service.store;
    const pending = store.pending.bind(store);
    let corrupt = true;
    store.pending = async (...args) => {
      if (corrupt) throw Object.assign(new Error('database disk image is malformed'), { code: 'SQLITE_CORRUPT' });
      return pending(...args);
    };
    t.service.worker.kick('c');
    await waitUntil(() => t.logs.some((line) => line.includes('delivery loop failed')), 5_000, 'the failed delivery loop');
    const ready = await request(t.app).get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.outbox_read).toBe('cannot read the queue of c: Error: database disk image is malformed');
    corrupt = false;
    t.service.worker.kick('c');
    await waitUntil(async () => (await request(t.app).get('/readyz')).status === 200, 5_000, 'ready again');
  });

  it('a webhook refused because the outbox is full makes /readyz 503 at once, naming the error', async () => {
    expect((await request(t.app).get('/readyz')).status).toBe(200);
    db().pragma(`max_page_count = ${db().pragma('page_count', { simple: true }) as number}`);
    const big = JSON.parse(rawFixture('real-alertmanager-0.25-firing.json'));
    big.alerts = Array.from({ length: 200 }, (_, i) => ({ ...big.alerts[0], labels: { ...big.alerts[0].labels, instance: `full-${i}` }, fingerprint: `full${String(i).padStart(12, '0')}` }));
    const res = await request(t.app).post('/webhook/alertmanager').set('Content-Type', 'application/json').send(big);
    expect(res.status).toBe(503);
    const ready = await request(t.app).get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.outbox_error).toMatch(/SQLITE_FULL: database or disk is full/);
  });
});
