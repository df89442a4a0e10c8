import request from 'supertest';
import { FakeWecom } from '../support/fake-wecom';
import { buildApp, robotConfig, type TestApp } from '../support/build-app';
import { rawFixture } from '../support/fixtures';
import { alertmanagerSource } from '../../src/sources/alertmanager';
import { notificationOf, loadFixture } from '../support/fixtures';
import type { TextNotification } from '../../src/model/notification';

/**
 * `POST /api/v1/messages` end to end: HTTP → validation → routing → outbox → worker → fake WeCom,
 * with exact request bodies.
 */
const robots = (apiBase: string, extra: Record<string, unknown> = {}) =>
  robotConfig(apiBase, {}, {
    receivers: [
      { name: 'ops', robot: { key: 'key-ops-0001' } },
      { name: 'dba', robot: { key: 'key-dba-0001' } },
      { name: 'jobs', robot: { key: 'key-jobs-0001' } },
      { name: 'dba-app', app: { corp_id: 'ww1', secret: 'app-secret-0001', agent_id: 1000002, to_user: 'zhangsan' } },
    ],
    route: {
      receiver: 'ops',
      routes: [
        { matchers: ['team="dba"'], receiver: 'dba' },
        { matchers: ['source="api"'], receiver: 'jobs' },
      ],
    },
    ...extra,
  });

const post = (t: TestApp, body: unknown) => request(t.app).post('/api/v1/messages').set('Content-Type', 'application/json').send(body as object);

describe('POST /api/v1/messages', () => {
  let fake: FakeWecom;
  let t: TestApp;

  beforeEach(async () => {
    fake = await new FakeWecom().start();
  });
  afterEach(async () => {
    await t?.close();
    await fake.stop();
  });

  it('routes by labels and the pseudo-label source="api" and delivers the exact markdown body', async () => {
    t = await buildApp(robots(fake.url));
    const res = await post(t, { title: '夜间备份失败', content: 'db-backup 任务退出码 2\n请检查 `/var/log/backup.log`', severity: 'critical', labels: { job: 'db-backup' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'accepted', notifications: 1 });
    await fake.waitFor(() => fake.sends().length === 1);
    const [send] = fake.sends();
    expect(send.query.get('key')).toBe('key-jobs-0001');
    expect(send.body).toEqual({
      msgtype: 'markdown',
      markdown: { content: '## <font color="warning">严重</font> 夜间备份失败\ndb-backup 任务退出码 2\n请检查 `/var/log/backup.log`\n\n<font color="comment">job=db-backup</font>' },
    });
    expect(await t.metricValue('wecom_adapter_webhook_requests_total', { source: 'api', code: '200' })).toBe(1);
  });

  it('matches label routes first, and a pinned receiver bypasses the routing table', async () => {
    t = await buildApp(robots(fake.url));
    await post(t, { title: '慢查询', content: '过去 1 小时 37 条慢查询', labels: { team: 'dba' } }).expect(200);
    await fake.waitFor(() => fake.sends().length === 1);
    await post(t, { title: '部署完成', content: 'web v1.4.2 已上线', receiver: 'ops' }).expect(200);
    await fake.waitFor(() => fake.sends().length === 2);
    expect(fake.sends().map((send) => send.query.get('key'))).toEqual(['key-dba-0001', 'key-ops-0001']);
    expect(fake.sends()[1].body).toEqual({ msgtype: 'markdown', markdown: { content: '## 部署完成\nweb v1.4.2 已上线' } });
  });

  it('honours a msgtype override per message: text, news and template_card on a markdown robot', async () => {
    t = await buildApp(robots(fake.url, { server: { external_url: 'https://adapter.example.cn/' } }));
    await post(t, { title: '证书即将过期', content: 'api.example.cn 的证书 7 天后过期', severity: 'warning', receiver: 'ops', msgtype: 'text', mention: { users: ['zhangsan'], mobiles: ['13800001111'] } }).expect(200);
    await fake.waitFor(() => fake.sends().length === 1);
    expect(fake.sends()[0].body).toEqual({
      msgtype: 'text',
      text: { content: '【警告】证书即将过期\napi.example.cn 的证书 7 天后过期', mentioned_list: ['zhangsan'], mentioned_mobile_list: ['13800001111'] },
    });

    await post(t, { title: '周报已生成', content: '本周可用性 99.95%', receiver: 'ops', msgtype: 'news' }).expect(200);
    await fake.waitFor(() => fake.sends().length === 2);
    expect(fake.sends()[1].body).toEqual({ msgtype: 'news', news: { articles: [{ title: '周报已生成', description: '本周可用性 99.95%', url: 'https://adapter.example.cn/' }] } });

    await post(t, { title: '扩容完成', content: 'web 集群 8 → 12 台', severity: 'info', labels: { cluster: 'prod-sh' }, receiver: 'ops', msgtype: 'template_card' }).expect(200);
    await fake.waitFor(() => fake.sends().length === 3);
    const card = fake.sends()[2].body;
    expect(card.msgtype).toBe('template_card');
    expect(card.template_card).toEqual({
      card_type: 'text_notice',
      source: { desc: '消息通知', desc_color: 0 },
      main_title: { title: '【提示】扩容完成' },
      sub_title_text: 'web 集群 8 → 12 台',
      horizontal_content_list: [
        { keyname: '级别', value: '提示' },
        { keyname: '时间', value: expect.stringMatching(/^\d\d-\d\d \d\d:\d\d$/) },
        { keyname: 'cluster', value: 'prod-sh' },
      ],
      card_action: { type: 1, url: 'https://adapter.example.cn/' },
    });
  });

  it('keeps queue order and packs only neighbours of the same msgtype', async () => {
    t = await buildApp(robotConfig(fake.url), { start: false });
    const parsed = alertmanagerSource.parse(loadFixture('alertmanager-firing.json'), new Date());
    const message = (title: string, msgtype?: string): TextNotification => ({
      kind: 'message',
      source: 'api',
      receiver: 'ops',
      template: 'message',
      title,
      content: `${title} 的内容`,
      labels: {},
      ...(msgtype ? { msgtype } : {}),
      createdAt: new Date().toISOString(),
    });
    // alert (markdown) · text message · markdown message · markdown message
    await t.service.enqueue([notificationOf(parsed, 'ops'), message('甲', 'text'), message('乙'), message('丙', 'markdown')]);
    await t.service.start();
    await fake.waitFor(() => fake.sends().length === 3);
    const bodies = fake.sends().map((send) => send.body);
    expect(bodies.map((body) => body.msgtype)).toEqual(['markdown', 'text', 'markdown']);
    expect(bodies[0].markdown.content).toContain('MySQLTooManyConnections');
    expect(bodies[0].markdown.content).not.toContain('甲');
    expect(bodies[1]).toEqual({ msgtype: 'text', text: { content: '甲\n甲 的内容' } });
    // 乙 and 丙 are both markdown: coalesced into one message, in order
    expect(bodies[2].markdown.content).toBe('## 乙\n乙 的内容\n\n## 丙\n丙 的内容');
  });

  it('splits a long content on line boundaries into numbered messages, every line delivered once', async () => {
    t = await buildApp(robotConfig(fake.url));
    const lines = Array.from({ length: 400 }, (_, i) => `第 ${String(i + 1).padStart(3, '0')} 行：订单同步任务处理了 1200 条记录，耗时 35 秒`);
    const res = await post(t, { title: '同步日志', content: lines.join('\n') });
    expect(res.status).toBe(200);
    const parts = res.body.notifications as number;
    expect(parts).toBeGreaterThan(1);
    await fake.waitFor(() => fake.sends().length === parts, 10_000, `${parts} parts`);
    const contents = fake.sends().map((send) => send.body.markdown.content as string);
    contents.forEach((content, index) => {
      expect(Buffer.byteLength(content)).toBeLessThanOrEqual(4096);
      expect(content.split('\n')[0]).toBe(`## 同步日志 (${index + 1}/${parts})`);
      expect(content).not.toContain('内容过长已截断');
    });
    const delivered = contents.flatMap((content) => content.split('\n').filter((line) => line.startsWith('第 ')));
    expect(delivered).toEqual(lines);
  });

  it('answers 400 naming the field for invalid bodies', async () => {
    t = await buildApp(robots(fake.url));
    const cases: [unknown, string][] = [
      [{ content: 'x' }, 'title'],
      [{ title: '   ', content: 'x' }, 'title'],
      [{ title: 'x'.repeat(129), content: 'x' }, 'title'],
      [{ title: 't' }, 'content'],
      [{ title: 't', content: '' }, 'content'],
      [{ title: 't', content: 'x'.repeat(65_537) }, 'content'],
      [{ title: 't', content: 'x', severity: 7 }, 'severity'],
      [{ title: 't', content: 'x', labels: { 'bad-name': 'v' } }, 'labels.bad-name'],
      [{ title: 't', content: 'x', labels: { source: 'cron' } }, 'labels.source'],
      [{ title: 't', content: 'x', labels: { env: 1 } }, 'labels.env'],
      [{ title: 't', content: 'x', msgtype: 'image' }, 'msgtype'],
      [{ title: 't', content: 'x', mention: { users: 'zhangsan' } }, 'mention.users'],
      [{ title: 't', content: 'x', mention: { mobiles: ['call me'] } }, 'mention.mobiles[0]'],
      [{ title: 't', content: 'x', color: 'red' }, 'color'],
    ];
    for (const [body, path] of cases) {
      const res = await post(t, body);
      expect({ path, status: res.status, field: res.body.path }).toEqual({ path, status: 400, field: path });
      expect(res.body.error).toContain(path);
    }
    expect((await post(t, [1, 2])).status).toBe(400);
    const malformed = await request(t.app).post('/api/v1/messages').set('Content-Type', 'application/json').send('{"title":');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatch(/malformed JSON/);
    const form = await request(t.app).post('/api/v1/messages').set('Content-Type', 'text/plain').send('title=x');
    expect(form.status).toBe(415);
    expect(fake.sends()).toHaveLength(0);
  });

  it('answers 404 naming receiver for an unknown receiver, and 400 msgtype for one the receiver cannot send', async () => {
    t = await buildApp(robots(fake.url));
    const unknown = await post(t, { title: 't', content: 'x', receiver: 'nope' });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ path: 'receiver' });
    expect(unknown.body.error).toContain('unknown receiver "nope"');
    const wrongKind = await post(t, { title: 't', content: 'x', receiver: 'dba-app', msgtype: 'news' });
    expect(wrongKind.status).toBe(400);
    expect(wrongKind.body).toMatchObject({ path: 'msgtype' });
    expect(wrongKind.body.error).toContain('dba-app');
    expect((await post(t, { title: 't', content: 'x', receiver: 'dba', msgtype: 'textcard' })).body).toMatchObject({ path: 'msgtype' });
    expect((await request(t.app).get('/api/v1/messages')).status).toBe(405);
    expect(fake.sends()).toHaveLength(0);
  });

  it('requires the inbound auth when configured, like the webhooks', async () => {
    t = await buildApp(robots(fake.url, { server: { auth: { bearer_tokens: ['s3cret-token-0001'] } } }));
    const denied = await post(t, { title: 't', content: 'x' });
    expect(denied.status).toBe(401);
    const wrong = await request(t.app).post('/api/v1/messages').set('Authorization', 'Bearer nope-nope-nope').set('Content-Type', 'application/json').send({ title: 't', content: 'x' });
    expect(wrong.status).toBe(401);
    const ok = await request(t.app).post('/api/v1/messages').set('Authorization', 'Bearer s3cret-token-0001').set('Content-Type', 'application/json').send({ title: 't', content: 'x' });
    expect(ok.status).toBe(200);
    await fake.waitFor(() => fake.sends().length === 1);
    expect(await t.metricValue('wecom_adapter_webhook_requests_total', { source: 'api', code: '401' })).toBe(2);
  });

  it('does not disturb webhooks on the same robot (both delivered)', async () => {
    t = await buildApp(robotConfig(fake.url));
    await request(t.app).post('/webhook/alertmanager').set('Content-Type', 'application/json').send(rawFixture('alertmanager-firing.json')).expect(200);
    await post(t, { title: '巡检完成', content: '全部正常' }).expect(200);
    await fake.waitFor(() => fake.sends().map((send) => send.body.markdown.content).join('\n').includes('巡检完成'));
    expect(fake.sends().map((send) => send.body.markdown.content).join('\n')).toContain('MySQLTooManyConnections');
  });
});
