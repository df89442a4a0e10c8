import { AppChannel } from '../../src/channels/app';
import { DEFAULT_CARD_URL } from '../../src/channels/app-body';
import { ConsoleChannel } from '../../src/channels/console';
import { errcodeInfo } from '../../src/channels/errcodes';
import { WecomHttp } from '../../src/channels/http-client';
import { RobotChannel } from '../../src/channels/robot';
import { TokenCache } from '../../src/channels/token-cache';
import { appSchema, consoleSchema, robotSchema } from '../../src/config/receivers-schema';
import { sendTest, TEST_TITLE } from '../../src/commands/send-test-core';
import { FakeWecom, type Reply } from '../support/fake-wecom';

const SECRET = 'app-secret-0123456789abcdef';
const CORP = 'ww0123456789abcdef';
const NOW = new Date('2025-03-18T04:00:00Z');

let fake: FakeWecom;
let http: WecomHttp;

beforeEach(async () => {
  fake = await new FakeWecom({ apps: { [SECRET]: { corpid: CORP } }, robotKeys: ['good-key'], invalidRecipients: { users: ['ghost'] } }).start();
  http = new WecomHttp({ timeoutMs: 500, env: {} });
});

afterEach(async () => {
  await http.close();
  await fake.stop();
});

function robot(msgtype = 'markdown', key = 'good-key', apiBase = fake.url) {
  return new RobotChannel('ops-robot', robotSchema.parse({ key, msgtype, mention: { all: true } }), { http, apiBase, rateLimitedBackoffMs: 60_000 });
}

function app(overrides: Record<string, unknown> = {}, apiBase = fake.url) {
  const config = appSchema.parse({ corp_id: CORP, secret: SECRET, agent_id: 1000002, to_user: 'zhangsan', ...overrides });
  return new AppChannel('ops-app', config, { http, apiBase, rateLimitedBackoffMs: 60_000, tokens: new TokenCache() });
}

const text = (result: { lines: string[] }) => result.lines.join('\n');

describe('sendTest', () => {
  it('sends one markdown test message through a robot, mentioning nobody, and says where to look', async () => {
    const result = await sendTest(robot(), NOW, { usesProxy: false });
    expect(result.ok).toBe(true);
    expect(result.lines[0]).toBe('向接收者 ops-robot（群机器人，msgtype markdown）发送一条测试消息，直连企业微信（未使用代理）。');
    expect(text(result)).toContain('成功：企业微信已接受该消息 (errcode 0)。请在群聊中确认已经收到。');
    const [sent] = fake.sends('/webhook/send');
    expect(fake.sends('/webhook/send')).toHaveLength(1);
    expect(sent.body.markdown.content).toContain(TEST_TITLE);
    expect(sent.body.markdown.content).toContain('2025-03-18 12:00:00');
    expect(sent.body.markdown.content).not.toContain('<@');
  });

  it.each([
    ['text', (body: any) => body.text.content],
    ['markdown_v2', (body: any) => body.markdown_v2.content],
    ['news', (body: any) => body.news.articles[0].title],
  ])('builds a valid robot %s test message', async (msgtype, field) => {
    expect((await sendTest(robot(msgtype), NOW)).ok).toBe(true);
    const body = fake.sends('/webhook/send')[0].body;
    expect(field(body)).toContain('【测试消息】');
    expect(JSON.stringify(body)).not.toContain('<font');
    expect(body.text?.mentioned_list).toBeUndefined();
  });

  it.each(['markdown', 'text', 'textcard'])('sends an app %s test message', async (msgtype) => {
    const result = await sendTest(app({ msgtype }), NOW);
    expect(result.ok).toBe(true);
    expect(text(result)).toContain('企业微信的应用消息');
    const body = fake.sends('/message/send')[0].body;
    expect(body.msgtype).toBe(msgtype);
    if (msgtype === 'textcard') expect(body.textcard).toMatchObject({ title: TEST_TITLE, url: DEFAULT_CARD_URL, btntxt: '详情' });
    else expect(body[msgtype].content).toContain(TEST_TITLE);
  });

  it('prints to stdout for a console receiver', async () => {
    const written: string[] = [];
    const result = await sendTest(new ConsoleChannel('console', consoleSchema.parse({}), (t) => written.push(t)), NOW);
    expect(result.ok).toBe(true);
    expect(text(result)).toContain('标准输出');
    expect(written.join('')).toContain(TEST_TITLE);
  });

  it('explains 60020 with the egress IP and the proxy situation', async () => {
    fake.replySequence('/message/send', [{ json: { errcode: 60020, errmsg: 'not allow to access from your ip, hint: [x], from ip: 203.0.113.7' } }]);
    const result = await sendTest(app(), NOW, { usesProxy: false });
    expect(result.ok).toBe(false);
    expect(text(result)).toContain('203.0.113.7');
    expect(text(result)).toContain('企业可信IP');
    expect(text(result)).toContain('当前未使用代理');
    expect(text(result)).toContain('dead-letters');
  });

  it('explains a wrong secret without showing it', async () => {
    const result = await sendTest(app({ secret: 'wrong-secret-value-42' }), NOW);
    expect(result.ok).toBe(false);
    expect(text(result)).toContain('errcode 40001');
    expect(text(result)).toContain('app.secret');
    expect(text(result)).not.toContain('wrong-secret-value-42');
  });

  it('explains an invalid robot key (93000) naming the receiver', async () => {
    const result = await sendTest(robot('markdown', 'bad-key'), NOW);
    expect(text(result)).toContain(errcodeInfo(93000).hint);
    expect(text(result)).toContain('ops-robot 的 robot.key');
    expect(text(result)).not.toContain('bad-key');
  });

  it.each<[number, 'robot' | 'app', string]>([
    [93004, 'robot', '重新启用'],
    [93008, 'robot', '重新拉进群'],
    [45009, 'robot', '每分钟最多 20 条'],
    [45009, 'app', '每分钟最多 30 条'],
    [40013, 'app', 'app.corp_id'],
    [40056, 'app', 'app.agent_id'],
    [301002, 'app', '同一个应用'],
    [81013, 'app', '可见范围'],
    [40058, 'robot', 'msgtype 与接收者类型不匹配'],
    [12345, 'robot', 'devtool/query?e=12345'],
  ])('explains errcode %i for a %s receiver', async (errcode, kind, sentence) => {
    fake.replySequence(kind === 'robot' ? '/webhook/send' : '/message/send', [{ json: { errcode, errmsg: 'scripted' } }]);
    const result = await sendTest(kind === 'robot' ? robot() : app(), NOW);
    expect(result.ok).toBe(false);
    expect(text(result)).toContain(`errcode ${errcode}`);
    expect(text(result)).toContain(sentence);
    expect(text(result)).toContain(errcode === 45009 ? '自动重试' : '人工处理');
  });

  it.each<[string, Reply, string]>([
    ['a proxy asking for credentials', { status: 407, text: 'Proxy Authentication Required' }, '代理要求认证'],
    ['a gateway error', { status: 502, text: 'bad gateway' }, 'HTTP 502'],
    ['an HTML page instead of JSON', { status: 200, text: '<html>login</html>' }, '拦截流量的代理'],
    ['no answer in time', { hang: true }, '超时'],
  ])('explains %s', async (_name, reply, sentence) => {
    fake.replySequence('/webhook/send', [reply]);
    const result = await sendTest(robot(), NOW, { usesProxy: true });
    expect(result.ok).toBe(false);
    expect(text(result)).toContain(sentence);
    expect(result.lines[0]).toContain('经由代理');
  });

  it('explains an unreachable WeCom', async () => {
    const result = await sendTest(robot('markdown', 'good-key', 'http://127.0.0.1:9'), NOW, { usesProxy: false });
    expect(text(result)).toContain('无法连接企业微信');
    expect(text(result)).toContain('HTTPS_PROXY');
  });

  it('passes on warnings about invalid recipients', async () => {
    const result = await sendTest(app({ to_user: 'zhangsan|ghost' }), NOW);
    expect(result.ok).toBe(true);
    expect(text(result)).toContain('注意：接收者 ops-app：1 个接收人未收到消息，invaliduser=ghost');
  });

  it('reports a channel that throws', async () => {
    const broken = Object.assign(Object.create(robot()), { send: async () => Promise.reject(new Error('boom')) });
    const result = await sendTest(broken, NOW);
    expect(result).toEqual({ ok: false, lines: [expect.any(String), '失败：发送时出现内部错误：boom'] });
  });
});
