import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { stringify } from 'yaml';
import { loadConfigFile } from '../../src/config/load';
import { FakeWecom } from '../support/fake-wecom';
import { buildApp, robotConfig, type TestApp } from '../support/build-app';
import { rawFixture } from '../support/fixtures';

const TOKEN = 'bearer-token-for-tests-0001';
const ROTATED = 'bearer-token-for-tests-0002';

describe('inbound auth', () => {
  let fake: FakeWecom;
  let t: TestApp;
  beforeAll(async () => {
    fake = await new FakeWecom().start();
    t = await buildApp(robotConfig(fake.url, {}, { server: { auth: { bearer_tokens: [TOKEN, ROTATED], basic: { username: 'grafana', password: 'basic-password-1' } } } }));
  });
  afterAll(async () => {
    await t.close();
    await fake.stop();
  });
  const post = () => request(t.app).post('/webhook/alertmanager').set('Content-Type', 'application/json').send(rawFixture('real-alertmanager-0.25-firing.json'));

  it.each([
    ['no header', undefined],
    ['a wrong token', `Bearer ${TOKEN}x`],
    ['a prefix of the token', `Bearer ${TOKEN.slice(0, 10)}`],
    ['wrong basic password', `Basic ${Buffer.from('grafana:nope').toString('base64')}`],
    ['another scheme', `Token ${TOKEN}`],
  ])('rejects %s with 401', async (_name, header) => {
    const req = post();
    if (header) req.set('Authorization', header);
    const res = await req;
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'missing or wrong credentials' });
  });

  it.each([
    ['the first token', `Bearer ${TOKEN}`],
    ['the rotated token', `Bearer ${ROTATED}`],
    ['basic auth', `Basic ${Buffer.from('grafana:basic-password-1').toString('base64')}`],
  ])('accepts %s', async (_name, header) => {
    await post().set('Authorization', header).expect(200);
  });

  it('keeps /healthz, /readyz and /metrics open, and protects /-/reload', async () => {
    await request(t.app).get('/healthz').expect(200);
    await request(t.app).get('/readyz').expect(200);
    await request(t.app).get('/metrics').expect(200);
    await request(t.app).post('/-/reload').expect(401);
  });

  it('checks auth before reading the body (no 415/413/400 leak to anonymous callers)', async () => {
    await request(t.app).post('/webhook/alertmanager').set('Content-Type', 'text/plain').send('x').expect(401);
    await request(t.app).post('/webhook/nope').expect(404);
  });
});

describe('protect_metrics / protect_health', () => {
  it('requires credentials on /metrics and health endpoints when configured', async () => {
    const t = await buildApp({ receivers: [{ name: 'c', console: {} }], route: { receiver: 'c' }, server: { auth: { bearer_tokens: [TOKEN], protect_metrics: true, protect_health: true } } });
    try {
      await request(t.app).get('/metrics').expect(401);
      await request(t.app).get('/healthz').expect(401);
      await request(t.app).get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200);
    } finally {
      await t.close();
    }
  });
});

describe('hot reload', () => {
  let dir: string;
  let t: TestApp;
  const file = () => join(dir, 'config.yaml');
  const write = (config: unknown) => writeFileSync(file(), typeof config === 'string' ? config : stringify(config));
  const base = { receivers: [{ name: 'first', console: {} }], route: { receiver: 'first' } };

  beforeEach(async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    dir = mkdtempSync(join(tmpdir(), 'wecom-reload-'));
    write({ ...base, storage: { path: join(dir, 'data') } });
    t = await buildApp(base, { dir, reload: () => loadConfigFile(file(), {}) });
  });
  afterEach(async () => t.close());

  it('applies a valid config atomically and reports success', async () => {
    write({ receivers: [{ name: 'second', console: {} }], route: { receiver: 'second' }, storage: { path: join(dir, 'data') } });
    const res = await request(t.app).post('/-/reload').expect(200);
    expect(res.body).toEqual({ status: 'reloaded', receivers: 1 });
    expect([...t.service.current.channels.keys()]).toEqual(['second']);
    expect(await t.metricValue('wecom_adapter_config_last_reload_successful')).toBe(1);
    await request(t.app).post('/webhook/alertmanager/second').set('Content-Type', 'application/json').send(rawFixture('real-alertmanager-0.25-firing.json')).expect(200);
  });

  it('keeps the running config on a broken one, answers 500 with the problems, and sets the gauge to 0', async () => {
    write('receivers:\n  - name: broken\n    robot: {}\nroute:\n  receiver: nobody\n');
    const res = await request(t.app).post('/-/reload').expect(500);
    expect(res.body.error).toBe('reload failed; the running configuration is kept');
    expect(res.body.problems).toEqual(expect.arrayContaining([expect.stringContaining('receivers[0].robot.key: required'), expect.stringContaining('route.receiver: unknown receiver "nobody"')]));
    expect(await t.metricValue('wecom_adapter_config_last_reload_successful')).toBe(0);
    expect([...t.service.current.channels.keys()]).toEqual(['first']);
    await request(t.app).post('/webhook/alertmanager/first').set('Content-Type', 'application/json').send(rawFixture('real-alertmanager-0.25-firing.json')).expect(200);
    // A later good reload recovers the gauge.
    write({ ...base, storage: { path: join(dir, 'data') } });
    await request(t.app).post('/-/reload').expect(200);
    expect(await t.metricValue('wecom_adapter_config_last_reload_successful')).toBe(1);
  });

  it('re-reads templates: an override in the templates directory takes effect on reload', async () => {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'tpl'));
    writeFileSync(join(dir, 'tpl', 'alertmanager.md.hbs'), 'OVERRIDDEN {{alerts.length}}');
    write({ ...base, templates: 'tpl', storage: { path: join(dir, 'data') } });
    await request(t.app).post('/-/reload').expect(200);
    await request(t.app).post('/webhook/alertmanager').set('Content-Type', 'application/json').send(rawFixture('real-alertmanager-0.25-firing.json')).expect(200);
    const deadline = Date.now() + 5000;
    while (!t.consoleOut.join('').includes('OVERRIDDEN 2') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(t.consoleOut.join('')).toContain('OVERRIDDEN 2');
    // A template with a syntax error is a failed reload, not a broken delivery later.
    writeFileSync(join(dir, 'tpl', 'alertmanager.md.hbs'), '{{#if}}broken');
    const res = await request(t.app).post('/-/reload').expect(500);
    expect(res.body.problems[0]).toContain('alertmanager.md.hbs');
  });
});

describe('outbox unavailable', () => {
  it('answers 503 (the sender retries) and reports not ready when the outbox cannot be written', async () => {
    const t = await buildApp({ receivers: [{ name: 'c', console: {} }], route: { receiver: 'c' } });
    try {
      await t.service.store.close(); // the storage is gone (disk full, file closed): nothing can be queued
      const res = await request(t.app).post('/webhook/alertmanager').set('Content-Type', 'application/json').send(rawFixture('real-alertmanager-0.25-firing.json'));
      expect(res.status).toBe(503);
      expect(res.body.error).toMatch(/cannot accept work right now/);
      const ready = await request(t.app).get('/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body.checks.outbox).toBe('not writable');
      expect(t.logs.join('')).toContain('answering 503 so the sender retries');
    } finally {
      await t.close().catch(() => undefined);
    }
  });
});
