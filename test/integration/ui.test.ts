import { join } from 'node:path';
import request from 'supertest';
import { validateConfig, type LoadedConfig } from '../../src/config/load';
import { FakeWecom } from '../support/fake-wecom';
import { buildApp, type TestApp } from '../support/build-app';
import { loadFixture, rawFixture } from '../support/fixtures';

/**
 * The web console's server side (`/ui`, `/ui/api/*`): auth, the on/off switch, the JSON shapes the
 * page reads, requeue and send-test, and that payload text never comes back as live markup.
 * The page itself is driven in a real browser by test/browser/ui.test.ts.
 */
const TOKEN = 'ui-bearer-token-0001';
const AUTH = `Bearer ${TOKEN}`;
const GOOD_KEY = 'good-robot-key-0001';
const BAD_KEY = 'removed-robot-key-0002';

function uiConfig(apiBase: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    server: { auth: { bearer_tokens: [TOKEN], basic: { username: 'ops', password: 'console-password-1' } } },
    wecom: { api_base: apiBase, timeout: '2s' },
    delivery: { retry: { initial_backoff: '20ms', max_backoff: '200ms', rate_limited_backoff: '200ms' } },
    receivers: [
      { name: 'ops', robot: { key: GOOD_KEY } },
      { name: 'broken', robot: { key: BAD_KEY } },
    ],
    route: { receiver: 'ops' },
    ...extra,
  };
}

async function waitUntil(predicate: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('web console API', () => {
  let fake: FakeWecom;
  let t: TestApp;
  const get = (path: string) => request(t.app).get(path).set('Authorization', AUTH);
  const post = (path: string, body: unknown = {}) => request(t.app).post(path).set('Authorization', AUTH).set('Content-Type', 'application/json').send(JSON.stringify(body));
  const webhook = (path: string, fixture: string) => request(t.app).post(path).set('Authorization', AUTH).set('Content-Type', 'application/json').send(rawFixture(fixture));

  beforeAll(async () => {
    // WeCom knows only the good key: the "broken" receiver's robot was removed (93000, permanent).
    fake = await new FakeWecom({ robotKeys: [GOOD_KEY] }).start();
    t = await buildApp(uiConfig(fake.url));
    await webhook('/webhook/alertmanager', 'real-alertmanager-0.25-firing.json').expect(200);
    await webhook('/webhook/grafana/broken', 'grafana-unified-firing.json').expect(200);
    await fake.waitFor(() => fake.accepted().length >= 1, 10_000, 'the ops delivery');
    await waitUntil(async () => (await t.service.store.deadLetters()).length === 1, 'the dead letter');
  });
  afterAll(async () => {
    await t.close();
    await fake.stop();
  });

  it.each(['/ui/api/deliveries', '/ui/api/dead-letters', '/ui/api/notifications', '/ui/api/alerts/firing', '/ui/assets/app.js'])('answers 401 on %s without credentials', async (path) => {
    const res = await request(t.app).get(path).expect(401);
    expect(res.headers['www-authenticate']).toBe('Basic realm="wecom-alert-adapter"');
  });

  it('sends a signed-out browser from the page to the login page, and the console script gets no password prompt', async () => {
    expect((await request(t.app).get('/ui/').set('Accept', 'text/html').expect(302)).headers.location).toBe('login');
    expect((await request(t.app).get('/ui').set('Accept', 'text/html').expect(302)).headers.location).toBe('ui/login');
    const res = await request(t.app).get('/ui/api/notifications').set('X-Console', '1').expect(401);
    expect(res.headers['www-authenticate']).toBeUndefined();
    // The login page and its stylesheet are reachable signed out.
    await request(t.app).get('/ui/login').expect(200).expect('Content-Type', /html/);
    await request(t.app).get('/ui/assets/console.css').expect(200);
  });

  it('answers 401 to POSTs without credentials, before anything happens', async () => {
    await request(t.app).post('/ui/api/dead-letters/requeue-all').set('Content-Type', 'application/json').send('{}').expect(401);
    expect((await t.service.store.deadLetters()).length).toBe(1);
  });

  it('accepts basic auth, which is what a browser can send', async () => {
    await request(t.app).get('/ui/').auth('ops', 'console-password-1').expect(200);
    await request(t.app).get('/ui/').auth('ops', 'wrong').expect(401);
  });

  it('redirects /ui to /ui/ with a relative location (asset URLs are relative)', async () => {
    const res = await get('/ui?x=1').expect(302);
    expect(res.headers.location).toBe('ui/');
  });

  it('serves the page with a strict content security policy and the configured receivers', async () => {
    const res = await get('/ui/').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.text).toContain('<script type="module" src="assets/app.js"></script>');
    expect(res.text).toContain('<option value="broken">broken (robot, markdown)</option>');
    expect(res.text).toContain('data-source="grafana"');
    expect(res.text).not.toContain('<script>');
    // The card-actions view has its tab (deep link #/actions); the receivers view its unknown-receiver box.
    expect(res.text).toContain('<a href="#/actions" data-tab="actions"><span class="zh">操作</span> <span class="en">Actions</span></a>');
    expect(res.text).toContain('<section id="view-actions" data-view="actions" hidden>');
    expect(res.text).toContain('<div id="unknown-receivers" aria-live="polite"></div>');
  });

  it('serves its assets (one module per view) and nothing else', async () => {
    for (const name of ['app.js', 'api.js', 'dom.js', 'view-alerts.js', 'view-notifications.js', 'view-dead-letters.js', 'view-templates.js', 'view-receivers.js', 'view-actions.js']) {
      const js = await get(`/ui/assets/${name}`).expect(200);
      expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    }
    expect((await get('/ui/assets/wecom-markdown.js').expect(200)).text).toContain('wecomMarkdownToHtml');
    await get('/ui/assets/console.js').expect(404);
    await get('/ui/assets/console.css').expect('Content-Type', /^text\/css/).expect(200);
    await get('/ui/assets/package.json').expect(404);
    await get('/ui/assets/..%2F..%2F..%2Fpackage.json').expect(404);
  });

  it('lists recent deliveries without bodies, times in server.timezone, and opens one body exactly', async () => {
    const res = await get('/ui/api/deliveries').expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.timezone).toBe('Asia/Shanghai');
    const sent = res.body.deliveries.find((row: any) => row.receiver === 'ops');
    expect(sent).toEqual({
      id: expect.any(Number),
      at: expect.any(Number),
      time: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
      receiver: 'ops',
      source: 'alertmanager',
      msgtype: 'markdown',
      status: 'sent',
      errcode: 0,
      jobs: [{ id: expect.any(String), part: 1, total: 1 }],
      alertCount: 2,
      bytes: expect.any(Number),
    });
    const dead = res.body.deliveries.find((row: any) => row.receiver === 'broken');
    expect(dead).toMatchObject({ status: 'dead', errcode: 93000, reason: 'invalid_webhook', source: 'grafana', hint: expect.stringContaining('机器人 key 无效') });
    const detail = await get(`/ui/api/deliveries/${sent.id}`).expect(200);
    const delivered = fake.accepted()[0].body;
    expect(JSON.parse(detail.body.body)).toEqual(delivered);
    expect(Buffer.byteLength(delivered.markdown.content)).toBe(sent.bytes);
    await get('/ui/api/deliveries/999999').expect(404);
  });

  it('lists dead letters with the errcode in words', async () => {
    const res = await get('/ui/api/dead-letters').expect(200);
    expect(res.body.deadLetters).toEqual([
      {
        id: expect.any(String),
        receiver: 'broken',
        source: 'grafana',
        failedAt: expect.any(Number),
        failedTime: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
        alerts: 2,
        errcode: 93000,
        reason: 'invalid_webhook',
        hint: expect.stringContaining('key 只填 key= 后面的值'),
        error: expect.any(String),
        attempts: expect.any(Number),
        names: ['MySQL连接数过高'],
      },
    ]);
  });

  it('shows each receiver with rate-limit state, queue, last success and last error', async () => {
    const res = await get('/ui/api/receivers').expect(200);
    const [ops, broken] = res.body.receivers;
    expect(ops).toMatchObject({ name: 'ops', kind: 'robot', msgtype: 'markdown', limit: 4096, rateLimit: { used: 1, count: 20, per: '1m' }, queued: 0, dead: 0, lastSuccess: { status: 'sent' } });
    expect(ops.lastError).toBeUndefined();
    expect(broken).toMatchObject({ name: 'broken', dead: 1, lastError: { status: 'dead', errcode: 93000 } });
    expect(broken.lastSuccess).toBeUndefined();
    expect(JSON.stringify(res.body)).not.toContain(GOOD_KEY);
    expect(JSON.stringify(res.body)).not.toContain(BAD_KEY);
  });

  it('sends a test message through the receiver and explains the answer', async () => {
    const before = fake.sends().length;
    const ok = await post('/ui/api/receivers/ops/test').expect(200);
    expect(ok.body).toMatchObject({ ok: true, sent: true });
    expect(ok.body.lines.join('\n')).toContain('成功');
    const bad = await post('/ui/api/receivers/broken/test').expect(200);
    expect(bad.body.ok).toBe(false);
    expect(bad.body.lines.join('\n')).toContain('93000');
    expect(fake.sends().length).toBe(before + 2);
    // The test took a slot in the same window the worker uses.
    const receivers = (await get('/ui/api/receivers').expect(200)).body.receivers;
    expect(receivers[0].rateLimit.used).toBe(2);
    await post('/ui/api/receivers/nobody/test').expect(404);
  });

  it('requires a JSON content type on POSTs (a cross-site form cannot send one)', async () => {
    await request(t.app).post('/ui/api/dead-letters/requeue-all').set('Authorization', AUTH).set('Content-Type', 'application/x-www-form-urlencoded').send('a=1').expect(415);
    expect((await t.service.store.deadLetters()).length).toBe(1);
  });

  it('requeues a dead letter, wakes the worker, and 404s an unknown id', async () => {
    const [letter] = await t.service.store.deadLetters();
    const sendsBefore = fake.sends().filter((r) => r.query.get('key') === BAD_KEY).length;
    const res = await post(`/ui/api/dead-letters/${letter.id}/requeue`).expect(200);
    expect(res.body).toEqual({ count: 1, receivers: ['broken'], message: 'requeued 1 notification(s) for broken' });
    // The worker sends it right away (kicked) and WeCom still says 93000: it is dead again.
    await fake.waitFor(() => fake.sends().filter((r) => r.query.get('key') === BAD_KEY).length > sendsBefore, 5000, 'the requeued send');
    await waitUntil(async () => (await t.service.store.deadLetters()).length === 1, 'the dead letter again');
    const missing = await post('/ui/api/dead-letters/424242/requeue').expect(404);
    expect(missing.body.error).toBe('nothing requeued: no dead letter with id 424242');
    const all = await post('/ui/api/dead-letters/requeue-all').expect(200);
    expect(all.body.count).toBe(1);
  });

  it('lists the bundled examples and serves one, never a path outside them', async () => {
    const res = await get('/ui/api/examples').expect(200);
    expect(res.body.sources).toEqual(['alertmanager', 'grafana', 'kibana']);
    expect(res.body.examples).toContainEqual({ name: 'grafana-unified-firing', source: 'grafana' });
    expect(res.body.examples).toContainEqual({ name: 'real-alertmanager-0.25-firing', source: 'alertmanager' });
    expect(res.body.examples).toContainEqual({ name: 'kibana-watcher-ctx', source: 'kibana' });
    const example = await get('/ui/api/examples/grafana-unified-firing').expect(200);
    expect(JSON.parse(example.body.payload)).toEqual(loadFixture('grafana-unified-firing.json'));
    await get('/ui/api/examples/..%2F..%2Fpackage').expect(404);
    await get('/ui/api/examples/nope').expect(404);
  });

  it('previews a payload like the render command: routing and every message with bytes and limit', async () => {
    const res = await post('/ui/api/preview', { source: 'grafana', payload: rawFixture('grafana-unified-firing.json') }).expect(200);
    expect(res.body.source).toBe('grafana');
    expect(res.body.alerts[0]).toMatchObject({ status: 'firing', receivers: ['ops'] });
    const [notification] = res.body.notifications;
    expect(notification).toMatchObject({ receiver: 'ops', kind: 'robot', template: 'grafana' });
    const [message] = notification.messages;
    expect(message).toMatchObject({ msgtype: 'markdown', limit: 4096, bytes: Buffer.byteLength(message.content) });
    expect(message.content).toMatch(/<font color="(warning|info|comment)">/);
    expect(message.body).toEqual({ msgtype: 'markdown', markdown: { content: message.content } });
    const pinned = await post('/ui/api/preview', { source: 'grafana', receiver: 'broken', payload: rawFixture('grafana-unified-firing.json') }).expect(200);
    expect(pinned.body.notifications.map((n: any) => n.receiver)).toEqual(['broken']);
    // A dry run: nothing was queued or sent.
    expect(await t.service.store.pendingCounts()).toEqual({});
  });

  it('answers a bad payload with 400, the error and the failing path', async () => {
    const payload = loadFixture('grafana-unified-firing.json');
    payload.alerts[0].status = 'exploded';
    const res = await post('/ui/api/preview', { source: 'grafana', payload: JSON.stringify(payload) }).expect(400);
    expect(res.body).toEqual({ error: expect.any(String), path: 'alerts[0].status' });
    const malformed = await post('/ui/api/preview', { source: 'alertmanager', payload: '{"version": "4",' }).expect(400);
    expect(malformed.body.error).toMatch(/^malformed JSON/);
    await post('/ui/api/preview', { payload: '{}' }).expect(400);
    await post('/ui/api/preview', { source: 'nagios', payload: '{}' }).expect(404);
    await post('/ui/api/preview', { source: 'grafana', receiver: 'nobody', payload: rawFixture('grafana-unified-firing.json') }).expect(404);
  });

  it('never returns payload markup as markup: a <script> label comes back neutralized and \\u-escaped', async () => {
    const payload = loadFixture('real-alertmanager-0.25-firing.json');
    payload.alerts[0].labels.alertname = '<script>alert(1)</script>';
    payload.alerts[0].annotations.summary = '<font color="info">fake green</font> <@all>';
    const res = await post('/ui/api/preview', { source: 'alertmanager', payload: JSON.stringify(payload) }).expect(200);
    expect(res.text).not.toContain('<script>');
    expect(res.text).not.toContain('<@all>');
    expect(res.text).toContain('\\u003cscript\\u003e'); // the routing list names the alert as received, escaped for JSON
    const content: string = res.body.notifications[0].messages[0].content;
    expect(content).toContain('＜script＞alert(1)＜/script＞');
    expect(content).not.toContain('<font color="info">fake green');
    expect(content).not.toContain('<@all>');
  });

  it('404s unknown console API paths', async () => {
    await get('/ui/api/nothing').expect(404);
  });
});

describe('web console switch (server.ui)', () => {
  it('is absent (404, not 401) with server.ui: false, and a reload turns it on and off', async () => {
    let ui = false;
    const config = (): Record<string, unknown> => ({ server: { ui, auth: { bearer_tokens: [TOKEN] } }, receivers: [{ name: 'c', console: {} }], route: { receiver: 'c' } });
    let dir = '';
    const reload = (): LoadedConfig => ({ config: validateConfig({ ...config(), storage: { path: join(dir, 'data') } }, 'test-config.yaml', dir, {}), source: join(dir, 'test-config.yaml'), baseDir: dir });
    const t = await buildApp(config(), { reload });
    dir = t.dir;
    try {
      for (const path of ['/ui', '/ui/', '/ui/api/deliveries', '/ui/assets/app.js', '/ui/login']) {
        const res = await request(t.app).get(path).expect(404);
        expect(res.body.error).toMatch(/^no route for GET/);
      }
      ui = true;
      await request(t.app).post('/-/reload').set('Authorization', AUTH).expect(200);
      await request(t.app).get('/ui/api/receivers').expect(401);
      await request(t.app).get('/ui/').set('Authorization', AUTH).expect(200);
      ui = false;
      await request(t.app).post('/-/reload').set('Authorization', AUTH).expect(200);
      await request(t.app).get('/ui/').set('Authorization', AUTH).expect(404);
    } finally {
      await t.close();
    }
  });

  it('is open without credentials when no inbound auth is configured (like the webhooks)', async () => {
    const t = await buildApp({ receivers: [{ name: 'c', console: {} }], route: { receiver: 'c' } });
    try {
      await request(t.app).get('/ui/').expect(200);
      const res = await request(t.app).get('/ui/api/receivers').expect(200);
      expect(res.body.receivers).toEqual([expect.objectContaining({ name: 'c', kind: 'console', queued: 0, dead: 0 })]);
    } finally {
      await t.close();
    }
  });
});
