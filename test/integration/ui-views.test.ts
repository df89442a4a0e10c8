import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { validateConfig, type LoadedConfig } from '../../src/config/load';
import { FakeWecom } from '../support/fake-wecom';
import { buildApp, type TestApp } from '../support/build-app';
import { rawFixture } from '../support/fixtures';
import { syntheticPayload } from '../support/synthetic-alerts';

/**
 * Console v2's view APIs over a real service and a fake WeCom: notifications (one row per
 * notification, true state, parts, attempts with exact bodies), alerts (firing now, history search
 * with Alertmanager matchers), dead-letter detail, and the template editor (preview with line
 * numbers, the 500-alert cap, save only when server.ui.edit_templates allows it).
 */
const TOKEN = 'ui-views-token-0001';
const AUTH = `Bearer ${TOKEN}`;
const GOOD_KEY = 'good-robot-key-0001';
const BAD_KEY = 'removed-robot-key-0002';

async function waitUntil(predicate: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('console views API', () => {
  let fake: FakeWecom;
  let t: TestApp;
  let ui: Record<string, unknown> = { enabled: true, edit_templates: false };
  const config = (apiBase: string) => ({
    server: { ui, auth: { bearer_tokens: [TOKEN] } },
    templates: './templates',
    wecom: { api_base: apiBase, timeout: '2s' },
    delivery: { retry: { initial_backoff: '20ms', max_backoff: '200ms', rate_limited_backoff: '200ms' } },
    receivers: [
      { name: 'ops', robot: { key: GOOD_KEY } },
      { name: 'broken', robot: { key: BAD_KEY } },
    ],
    route: { receiver: 'ops', routes: [{ matchers: ['alertname="StormTest"'], receiver: 'ops' }] },
  });
  const get = (path: string) => request(t.app).get(path).set('Authorization', AUTH);
  const post = (path: string, body: unknown = {}) => request(t.app).post(path).set('Authorization', AUTH).set('Content-Type', 'application/json').send(JSON.stringify(body));
  const webhook = (path: string, body: string) => request(t.app).post(path).set('Authorization', AUTH).set('Content-Type', 'application/json').send(body);

  beforeAll(async () => {
    fake = await new FakeWecom({ robotKeys: [GOOD_KEY] }).start();
    let dir = '';
    const reload = (): LoadedConfig => ({ config: validateConfig({ ...config(fake.url), storage: { path: join(dir, 'data') } }, 'test-config.yaml', dir, {}), source: join(dir, 'test-config.yaml'), baseDir: dir });
    // The templates directory must exist before the service loads it.
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    dir = mkdtempSync(join(tmpdir(), 'wecom-ui-views-'));
    mkdirSync(join(dir, 'templates'));
    t = await buildApp(config(fake.url), { dir, reload });
    await webhook('/webhook/alertmanager', rawFixture('real-alertmanager-0.25-firing.json')).expect(200);
    await webhook('/webhook/grafana/broken', rawFixture('grafana-unified-firing.json')).expect(200);
    await webhook('/webhook/alertmanager', JSON.stringify(syntheticPayload({ alertname: 'StormTest', prefix: 's', fingerprint: 's' }, 1, 200))).expect(200);
    await waitUntil(async () => (await t.service.store.deadLetters()).length === 1 && (await t.service.store.pendingCounts()).ops === undefined, 'the dead letter and every ops delivery');
  });
  afterAll(async () => {
    await t.close();
    await fake.stop();
  });

  it('lists one row per notification with names, status, parts and the true state (dead is never "retrying")', async () => {
    const res = await get('/ui/api/notifications').expect(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const rows = res.body.notifications;
    expect(rows).toHaveLength(3);
    const storm = rows.find((row: any) => row.names[0] === 'StormTest');
    expect(storm).toMatchObject({ receiver: 'ops', state: 'sent', alertCount: 200, firing: 200, resolved: 0, time: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/) });
    expect(storm.parts.sent).toBeGreaterThan(1);
    expect(storm.parts.total).toBe(storm.parts.sent);
    const dead = rows.find((row: any) => row.receiver === 'broken');
    expect(dead).toMatchObject({ state: 'dead', errcode: 93000, reason: 'invalid_webhook', names: ['MySQL连接数过高'], hint: expect.stringContaining('机器人 key 无效') });
    // A storm's parts are one notification, not N identical rows.
    expect(rows.filter((row: any) => row.names[0] === 'StormTest')).toHaveLength(1);
  });

  it('filters notifications and rejects bad filters with the parameter name', async () => {
    expect((await get('/ui/api/notifications?receiver=broken').expect(200)).body.notifications).toHaveLength(1);
    expect((await get('/ui/api/notifications?state=sent').expect(200)).body.notifications).toHaveLength(2);
    expect((await get('/ui/api/notifications?name=storm').expect(200)).body.notifications).toHaveLength(1);
    expect((await get('/ui/api/notifications?source=grafana').expect(200)).body.notifications).toHaveLength(1);
    expect((await get('/ui/api/notifications?from=2999-01-01T00:00:00Z').expect(200)).body.notifications).toHaveLength(0);
    expect((await get('/ui/api/notifications?state=exploded').expect(400)).body).toEqual({ error: 'state must be one of queued, sending, retrying, sent, dead', path: 'state' });
    expect((await get('/ui/api/notifications?from=yesterday').expect(400)).body.path).toBe('from');
    expect((await get('/ui/api/notifications?limit=0').expect(400)).body.path).toBe('limit');
  });

  it('opens a notification: its alerts, every attempt with the exact body WeCom received, part numbers', async () => {
    const storm = (await get('/ui/api/notifications?name=StormTest').expect(200)).body.notifications[0];
    const detail = (await get(`/ui/api/notifications/${storm.id}`).expect(200)).body;
    expect(detail.content.total).toBe(200);
    expect(detail.content.alerts[0]).toMatchObject({ name: 'StormTest', status: 'firing', labels: { instance: 's-1-0' } });
    expect(detail.attempts).toHaveLength(storm.parts.total);
    const bodies = fake.accepted().map((request) => JSON.stringify(request.body));
    for (const attempt of detail.attempts) {
      expect(attempt).toMatchObject({ status: 'sent', errcode: 0, part: { part: expect.any(Number), total: expect.any(Number) } });
      expect(bodies).toContain(attempt.body);
    }
    // The last part knows the true total (earlier ones may carry the estimate, see jobParts).
    expect(detail.attempts[0].part).toEqual({ part: storm.parts.total, total: storm.parts.total });
    expect(detail.attempts.map((attempt: any) => attempt.part.part).sort()).toEqual(Array.from({ length: storm.parts.total }, (_, i) => i + 1));
    await get('/ui/api/notifications/999999').expect(404);
  });

  it('opens a dead letter with its alerts, attempts and reason', async () => {
    const [letter] = (await get('/ui/api/dead-letters').expect(200)).body.deadLetters;
    const detail = (await get(`/ui/api/dead-letters/${letter.id}`).expect(200)).body;
    expect(detail.deadLetter).toMatchObject({ id: letter.id, errcode: 93000, hint: expect.stringContaining('invalid robot key') });
    expect(detail.content.alerts.map((alert: any) => alert.name)).toEqual(['MySQL连接数过高', 'MySQL连接数过高']);
    expect(detail.attempts[0]).toMatchObject({ status: 'dead', errcode: 93000 });
    expect((await get('/ui/api/dead-letters/count').expect(200)).body).toEqual({ count: 1 });
    await get('/ui/api/dead-letters/424242').expect(404);
  });

  it('shows what is firing now: where, since when, the receivers it went to and their state', async () => {
    const { body } = await get('/ui/api/alerts/firing').expect(200);
    expect(body.alerts.every((alert: any) => alert.status === 'firing')).toBe(true);
    expect(body.alerts.filter((alert: any) => alert.name === 'StormTest')).toHaveLength(200);
    const mysql = body.alerts.find((alert: any) => alert.source === 'grafana');
    expect(mysql).toMatchObject({ name: 'MySQL连接数过高', status: 'firing', since: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/), deliveries: [{ receiver: 'broken', state: 'dead' }] });
    expect(mysql.where).toContain('instance=');
    const storm = body.alerts.find((alert: any) => alert.name === 'StormTest');
    expect(storm.deliveries).toEqual([{ receiver: 'ops', state: 'sent', notificationId: expect.any(String) }]);
    expect(storm.where).toMatch(/^instance=s-1-\d+$/);
    // The link from an alert to the notifications that carried it.
    const carried = (await get(`/ui/api/notifications?fingerprint=${storm.fingerprint}`).expect(200)).body.notifications;
    expect(carried.map((row: any) => row.id)).toEqual([storm.deliveries[0].notificationId]);
  });

  it('searches the alert history by name, label matchers, receiver, source, status and time', async () => {
    const search = async (query: string) => (await get(`/ui/api/alerts/history?${query}`).expect(200)).body.alerts.map((alert: any) => alert.name);
    expect(await search('name=mysql')).toEqual(['MySQL连接数过高', 'MySQL连接数过高']);
    expect(await search(`matchers=${encodeURIComponent('instance=~"s-1-1[0-9]",severity="critical"')}`)).toHaveLength(5);
    expect(await search('receiver=broken')).toEqual(['MySQL连接数过高', 'MySQL连接数过高']);
    expect((await search('source=alertmanager&limit=1000')).length).toBe(202);
    expect(await search('status=resolved')).toEqual([]);
    expect(await search('to=2000-01-01T00:00:00Z')).toEqual([]);
    const bad = await get(`/ui/api/alerts/history?matchers=${encodeURIComponent('instance=~"("')}`).expect(400);
    expect(bad.body).toEqual({ error: expect.stringContaining('invalid regex'), path: 'matchers' });
  });

  it('lists templates (built-in and override) and reads one, never a path outside them', async () => {
    const { body } = await get('/ui/api/templates').expect(200);
    expect(body).toMatchObject({ canSave: false, editTemplates: false, directory: './templates', maxPreviewAlerts: 500 });
    expect(body.templates).toContainEqual({ name: 'alertmanager.md.hbs', origin: 'builtin', variant: 'md' });
    expect(body.templates.some((template: any) => template.name.startsWith('_partials/'))).toBe(true);
    expect(body.receivers).toContainEqual({ name: 'ops', kind: 'robot', msgtype: 'markdown', variant: 'md', limit: 4096 });
    const file = await get('/ui/api/templates/alertmanager.md.hbs').expect(200);
    expect(file.body.text).toBe(readFileSync(join(__dirname, '..', '..', 'templates', 'alertmanager.md.hbs'), 'utf8'));
    await get(`/ui/api/templates/${encodeURIComponent('../package.json')}`).expect(404);
    await get('/ui/api/templates/nope.md.hbs').expect(404);
  });

  it('previews an edited template live: the new text in the message, bytes against the limit, nothing sent', async () => {
    const sends = fake.sends().length;
    const res = await post('/ui/api/templates/preview', { name: 'alertmanager.md.hbs', text: '## 编辑预览 {{alerts.length}}', source: 'alertmanager', receiver: 'ops', payload: rawFixture('real-alertmanager-0.25-firing.json') }).expect(200);
    expect(res.body.errors).toEqual([]);
    const [message] = res.body.preview.notifications[0].messages;
    expect(message.content).toContain('## 编辑预览');
    expect(message).toMatchObject({ limit: 4096, bytes: Buffer.byteLength(message.content) });
    expect(fake.sends().length).toBe(sends);
  });

  it('reports template errors with their line number', async () => {
    const res = await post('/ui/api/templates/preview', { name: 'alertmanager.md.hbs', text: 'line one\nline two\n{{#each alerts}}\nno close', source: 'alertmanager', payload: rawFixture('real-alertmanager-0.25-firing.json') }).expect(200);
    expect(res.body.preview).toBeUndefined();
    expect(res.body.errors[0]).toEqual({ message: expect.stringContaining('alertmanager.md.hbs'), line: expect.any(Number) });
    expect(res.body.errors[0].line).toBeGreaterThanOrEqual(3);
    const helper = await post('/ui/api/templates/preview', { name: 'alertmanager.md.hbs', text: 'ok\n{{nosuchhelper alerts}}', source: 'alertmanager', payload: rawFixture('real-alertmanager-0.25-firing.json') }).expect(200);
    expect(helper.body.errors[0].message).toMatch(/nosuchhelper/);
    await post('/ui/api/templates/preview', { name: '../../etc/passwd', text: 'x', source: 'alertmanager', payload: '{}' }).expect(400);
  });

  it('caps the alerts a preview renders at 500 and says so (a big payload cannot block the event loop)', async () => {
    const payload = JSON.stringify(syntheticPayload({ alertname: 'Huge', prefix: 'h', fingerprint: 'h' }, 1, 600));
    const res = await post('/ui/api/templates/preview', { name: 'alertmanager.md.hbs', text: '{{alerts.length}} alerts', source: 'alertmanager', payload }).expect(200);
    expect(res.body.capped).toEqual({ previewed: 500, total: 600 });
    expect(res.body.preview.alerts).toHaveLength(500);
    const playground = await post('/ui/api/preview', { source: 'alertmanager', payload }).expect(200);
    expect(playground.body.capped).toEqual({ previewed: 500, total: 600 });
  });

  it('does not save while server.ui.edit_templates is off (download only)', async () => {
    const res = await post('/ui/api/templates/alertmanager.md.hbs', { text: 'x' }).expect(403);
    expect(res.body.error).toContain('server.ui.edit_templates');
  });

  it('with edit_templates on: saves after the check passes, atomically, then reloads; a broken template is refused', async () => {
    ui = { enabled: true, edit_templates: true };
    await post('/-/reload').expect(200);
    expect((await get('/ui/api/templates').expect(200)).body.canSave).toBe(true);
    const broken = await post('/ui/api/templates/alertmanager.md.hbs', { text: '{{#if}}' }).expect(422);
    expect(broken.body.errors[0].message).toContain('alertmanager.md.hbs');
    expect(() => readFileSync(join(t.dir, 'templates', 'alertmanager.md.hbs'))).toThrow();
    const saved = await post('/ui/api/templates/alertmanager.md.hbs', { text: '## 已保存 {{alerts.length}}' }).expect(200);
    expect(saved.body).toEqual({ saved: 'alertmanager.md.hbs', reloaded: true });
    expect(readFileSync(join(t.dir, 'templates', 'alertmanager.md.hbs'), 'utf8')).toBe('## 已保存 {{alerts.length}}');
    const list = (await get('/ui/api/templates').expect(200)).body.templates;
    expect(list).toContainEqual({ name: 'alertmanager.md.hbs', origin: 'override', variant: 'md' });
    // The running service now renders with it.
    const preview = await post('/ui/api/preview', { source: 'alertmanager', payload: rawFixture('real-alertmanager-0.25-firing.json') }).expect(200);
    expect(preview.body.notifications[0].messages[0].content).toContain('## 已保存');
    // A partial can be saved too (its directory is created).
    writeFileSync(join(t.dir, 'templates', 'keep.txt'), 'unrelated');
    await post(`/ui/api/templates/${encodeURIComponent('_partials/md_links.hbs')}`, { text: '' }).expect(200);
    expect(readFileSync(join(t.dir, 'templates', '_partials', 'md_links.hbs'), 'utf8')).toBe('');
  });
});
