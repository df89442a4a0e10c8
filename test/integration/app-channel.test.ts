import { AppChannel, type AppChannelDeps } from '../../src/channels/app';
import { DEFAULT_CARD_URL } from '../../src/channels/app-body';
import { WecomHttp } from '../../src/channels/http-client';
import type { SendResult } from '../../src/channels/send-result';
import { TokenCache } from '../../src/channels/token-cache';
import { appSchema } from '../../src/config/receivers-schema';
import type { Alert, ParsedPayload } from '../../src/model/alert';
import { TemplateEngine } from '../../src/render/engine';
import { messageFormat } from '../../src/render/format';
import { pack, type PackedMessage } from '../../src/render/packer';
import { alertmanagerSource } from '../../src/sources/alertmanager';
import { FakeWecom } from '../support/fake-wecom';
import { FIXED_NOW, loadFixture, notificationOf } from '../support/fixtures';

const SECRET = 'app-secret-0123456789abcdef';
const CORP = 'ww0123456789abcdef';

let fake: FakeWecom;
let http: WecomHttp;

beforeEach(async () => {
  fake = await new FakeWecom({ apps: { [SECRET]: { corpid: CORP } } }).start();
  // env: {} so a proxy configured on the test machine never sits between us and the fake.
  http = new WecomHttp({ timeoutMs: 2_000, env: {} });
});

afterEach(async () => {
  await http.close();
  await fake.stop();
});

function appConfig(overrides: Record<string, unknown> = {}) {
  return appSchema.parse({ corp_id: CORP, secret: SECRET, agent_id: 1000002, to_user: 'zhangsan|lisi', ...overrides });
}

function channelFor(config = appConfig(), deps: Partial<AppChannelDeps> = {}): AppChannel {
  return new AppChannel('ops-app', config, { http, apiBase: fake.url, rateLimitedBackoffMs: 60_000, tokens: new TokenCache(), ...deps });
}

function message(msgtype: string, content: string, extra: Partial<PackedMessage> = {}): PackedMessage {
  return { msgtype, content, sections: [], alertCount: 1, bytes: Buffer.byteLength(content), truncated: false, companion: false, ...extra };
}

const delivered = (results: SendResult[]) => results.filter((result) => result.ok).length;

describe('AppChannel tokens', () => {
  it('lets 50 concurrent sends share one gettoken', async () => {
    const channel = channelFor();
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => channel.send(message('text', `消息 ${i}`))));
    expect(delivered(results)).toBe(50);
    expect(fake.gettokenCalls()).toBe(1);
    expect(fake.sends('/message/send')).toHaveLength(50);
    expect(fake.requests.find((r) => r.path.endsWith('/gettoken'))?.method).toBe('GET');
  });

  it('refreshes exactly once when the token expires mid-stream, and delivers every message', async () => {
    const channel = channelFor();
    const first = await Promise.all(Array.from({ length: 10 }, (_, i) => channel.send(message('text', `前 ${i}`))));
    fake.expireTokens();
    const second = await Promise.all(Array.from({ length: 20 }, (_, i) => channel.send(message('text', `后 ${i}`))));
    expect(delivered([...first, ...second])).toBe(30);
    expect(fake.gettokenCalls()).toBe(2);
    const accepted = fake.sends('/message/send').filter((r) => r.query.get('access_token') === 'token-2').map((r) => r.body.text.content);
    expect(accepted.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `后 ${i}`).sort());
  });

  it.each([40014, 41001, 42001])('drops the token on %i, refreshes and resends once', async (errcode) => {
    const channel = channelFor();
    fake.replySequence('/message/send', [{ json: { errcode, errmsg: 'token problem' } }]);
    const result = await channel.send(message('text', '告警'));
    expect(result).toEqual({ ok: true, errcode: 0, warnings: [] });
    expect(fake.gettokenCalls()).toBe(2);
    expect(fake.sends('/message/send').map((r) => r.query.get('access_token'))).toEqual(['token-1', 'token-2']);
  });

  it('classifies a second token failure normally instead of looping', async () => {
    const channel = channelFor();
    fake.replySequence('/message/send', [{ json: { errcode: 42001, errmsg: 'expired' } }, { json: { errcode: 42001, errmsg: 'expired' } }]);
    const result = await channel.send(message('text', '告警'));
    expect(result).toMatchObject({ ok: false, retry: true, errcode: 42001 });
    expect(fake.sends('/message/send')).toHaveLength(2);
    expect(fake.gettokenCalls()).toBe(2);
  });

  it('does not loop on a bad secret (40001): one gettoken across many sends within the backoff', async () => {
    const channel = channelFor(appConfig({ secret: 'wrong-secret-value-42' }));
    const results = await Promise.all(Array.from({ length: 10 }, () => channel.send(message('text', '告警'))));
    for (let i = 0; i < 10; i++) results.push(await channel.send(message('text', '告警')));
    for (const result of results) {
      expect(result).toMatchObject({ ok: false, retry: false, errcode: 40001, reason: 'invalid_secret' });
      if (!result.ok) expect(result.error).toContain('Secret');
    }
    expect(fake.gettokenCalls()).toBe(1);
    expect(fake.sends('/message/send')).toHaveLength(0);
  });

  it('reports a wrong corp_id (40013) as permanent with the hint', async () => {
    const result = await channelFor(appConfig({ corp_id: 'ww-other' })).send(message('text', '告警'));
    expect(result).toMatchObject({ ok: false, retry: false, errcode: 40013 });
    if (!result.ok) expect(result.error).toContain('企业ID');
  });
});

describe('AppChannel after one reset gettoken connection (issue 16 item 7)', () => {
  it('retries gettoken within seconds (fake clock), and the error blames the network, not the secret', async () => {
    let now = Date.parse('2025-03-18T02:00:00Z');
    const tokens = new TokenCache({ now: () => now });
    const channel = channelFor(appConfig(), { tokens });
    fake.replySequence('/cgi-bin/gettoken', [{ destroy: true }]);
    const first = await channel.send(message('text', '告警 1'));
    expect(first).toMatchObject({ ok: false, retry: true, reason: 'network' });
    if (first.ok) throw new Error('expected a failure');
    expect(first.retryAfterMs).toBeGreaterThanOrEqual(500);
    expect(first.retryAfterMs).toBeLessThanOrEqual(1_000);
    expect(first.error).not.toMatch(/secret|IP for an hour/i);
    // Still inside the short pause: fails fast with the real cause, no second gettoken yet.
    const paused = await channel.send(message('text', '告警 2'));
    expect(paused).toMatchObject({ ok: false, retry: true, reason: 'network' });
    if (!paused.ok) expect(paused.error).toMatch(/gettoken retried in 1 s: the last call failed transiently \(network\)/);
    expect(fake.gettokenCalls()).toBe(1);
    now += first.retryAfterMs!;
    expect(await channel.send(message('text', '告警 3'))).toEqual({ ok: true, errcode: 0, warnings: [] });
    expect(fake.gettokenCalls()).toBe(2);
    expect(fake.accepted('/message/send').map((r) => r.body.text.content)).toEqual(['告警 3']);
  });

  it('delivers through the outbox within seconds, not after a minute', async () => {
    const { buildApp } = await import('../support/build-app');
    const t = await buildApp({
      wecom: { api_base: fake.url, timeout: '2s' },
      delivery: { retry: { initial_backoff: '20ms', max_backoff: '200ms', rate_limited_backoff: '200ms' } },
      receivers: [{ name: 'ops-app', app: { corp_id: CORP, secret: SECRET, agent_id: 1000002, to_user: 'zhangsan' } }],
      route: { receiver: 'ops-app' },
    });
    try {
      fake.replySequence('/cgi-bin/gettoken', [{ destroy: true }]);
      const startedAt = Date.now();
      await t.service.ingest('alertmanager', loadFixture('real-alertmanager-0.25-firing.json'));
      // Before the fix the cache refused gettoken for 60 s; the transient pause is at most 1 s here.
      await fake.waitFor(() => fake.accepted('/message/send').length === 1, 10_000, 'the app message after the reset');
      expect(Date.now() - startedAt).toBeLessThan(10_000);
      expect(fake.gettokenCalls()).toBe(2);
      const logs = t.logs.join('');
      expect(logs).toContain('"reason":"network"');
      expect(logs).not.toMatch(/wrong secrets|IP for an hour/);
    } finally {
      await t.close();
    }
  });
});

describe('AppChannel answers', () => {
  it('explains 60020 with the egress IP from errmsg', async () => {
    fake.replySequence('/message/send', [
      { json: { errcode: 60020, errmsg: 'not allow to access from your ip, hint: [1742270000_1_abc], from ip: 203.0.113.7, more info at https://open.work.weixin.qq.com/devtool/query?e=60020' } },
    ]);
    const result = await channelFor().send(message('text', '告警'));
    expect(result).toMatchObject({ ok: false, retry: false, errcode: 60020, reason: 'untrusted_ip' });
    if (result.ok) return;
    expect(result.error).toContain('203.0.113.7');
    expect(result.error).toContain('应用管理 → 应用 → 企业可信IP');
    expect(result.error).toContain('wecom.proxy');
  });

  it('reports partially invalid recipients as warnings and counts them', async () => {
    await fake.stop();
    fake = await new FakeWecom({ apps: { [SECRET]: { corpid: CORP } }, invalidRecipients: { users: ['ghost1', 'ghost2'], tags: ['9'] } }).start();
    const counted: [string, string, number][] = [];
    const channel = channelFor(appConfig({ to_user: 'zhangsan|ghost1|ghost2', to_tag: '9|1' }), { onInvalidRecipients: (...args) => counted.push(args) });
    const result = await channel.send(message('text', '告警'));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.warnings).toHaveLength(2);
    expect(result.warnings[0]).toContain('invaliduser=ghost1|ghost2');
    expect(result.warnings[1]).toContain('invalidtag=9');
    expect(counted).toEqual([
      ['ops-app', 'invaliduser', 2],
      ['ops-app', 'invalidtag', 1],
    ]);
  });

  it('treats 81013 (every recipient invalid) as permanent', async () => {
    await fake.stop();
    fake = await new FakeWecom({ apps: { [SECRET]: { corpid: CORP } }, invalidRecipients: { users: ['ghost'] } }).start();
    const result = await channelFor(appConfig({ to_user: 'ghost' })).send(message('text', '告警'));
    expect(result).toMatchObject({ ok: false, retry: false, errcode: 81013, reason: 'all_recipients_invalid' });
  });

  it('does not send mention companions (an app message already reaches each recipient)', async () => {
    const result = await channelFor().send(message('text', '请关注以上 1 条告警', { companion: true }));
    expect(result.ok).toBe(true);
    expect(fake.requests).toHaveLength(0);
  });
});

describe('AppChannel bodies', () => {
  const config = appConfig({ to_user: 'zhangsan|lisi', to_party: '2', safe: 1, duplicate_check_interval: '30m', btntxt: '查看' });

  it('sends the exact markdown body', async () => {
    const channel = channelFor(config);
    const sent = message('markdown', '## <font color="warning">告警 1 条</font> · DiskFull\n> 实例：web-01');
    expect(await channel.send(sent)).toMatchObject({ ok: true });
    const expected = {
      touser: 'zhangsan|lisi',
      toparty: '2',
      msgtype: 'markdown',
      agentid: 1000002,
      markdown: { content: '## <font color="warning">告警 1 条</font> · DiskFull\n> 实例：web-01' },
      safe: 1,
      enable_duplicate_check: 0,
      duplicate_check_interval: 1800,
    };
    expect(fake.sends('/message/send')[0].body).toEqual(expected);
    expect(channel.requestBody(sent)).toEqual(expected);
    expect(fake.sends('/message/send')[0].query.get('access_token')).toBe('token-1');
  });

  it('sends the exact text body, with totag only when set', async () => {
    await channelFor(appConfig({ to_user: undefined, to_tag: ['1', 3], agent_id: '1000005', enable_duplicate_check: true })).send(message('text', '【告警 1 条】DiskFull\n实例：web-01'));
    expect(fake.sends('/message/send')[0].body).toEqual({
      totag: '1|3',
      msgtype: 'text',
      agentid: 1000005,
      text: { content: '【告警 1 条】DiskFull\n实例：web-01' },
      safe: 0,
      enable_duplicate_check: 1,
      duplicate_check_interval: 1800,
    });
  });

  it('sends the exact textcard body', async () => {
    const description = '<div class="gray">03-18 10:13 开始</div><div class="highlight">[严重] DiskFull</div><div class="normal">磁盘空间不足</div>';
    await channelFor(config).send(message('textcard', description, { title: '[告警 1 条] DiskFull', url: 'https://am.example.cn/#/alerts' }));
    expect(fake.sends('/message/send')[0].body).toEqual({
      touser: 'zhangsan|lisi',
      toparty: '2',
      msgtype: 'textcard',
      agentid: 1000002,
      textcard: { title: '[告警 1 条] DiskFull', description, url: 'https://am.example.cn/#/alerts', btntxt: '查看' },
      safe: 1,
      enable_duplicate_check: 0,
      duplicate_check_interval: 1800,
    });
  });

  it.each([
    ['no url, no fallback', undefined, undefined, DEFAULT_CARD_URL],
    ['no url, external_url configured', undefined, 'https://adapter.example.cn/ui', 'https://adapter.example.cn/ui'],
    ['a non-http url', 'javascript:alert(1)', 'https://adapter.example.cn/ui', 'https://adapter.example.cn/ui'],
    ['an http url', 'http://grafana.example.cn/d/abc', 'https://adapter.example.cn/ui', 'http://grafana.example.cn/d/abc'],
  ])('gives a textcard with %s a usable link', (_name, url, fallbackUrl, expected) => {
    const body = channelFor(appConfig(), { fallbackUrl }).requestBody(message('textcard', 'x', { title: 't', url })) as { textcard: { url: string } };
    expect(body.textcard.url).toBe(expected);
  });
});

describe('AppChannel byte limits with Chinese alerts', () => {
  const engine = TemplateEngine.load();

  function chineseAlerts(): { alerts: Alert[]; parsed: ParsedPayload } {
    const parsed = alertmanagerSource.parse(loadFixture('alertmanager-many.json'), new Date(FIXED_NOW));
    const alerts = Array.from({ length: 80 }, (_, i) => {
      const base = parsed.alerts[i % parsed.alerts.length];
      const long = i === 7 ? '数据库主从复制延迟持续升高，'.repeat(120) : '磁盘空间不足，请尽快清理日志目录。'.repeat(1 + (i % 4));
      return { ...base, fingerprint: `fp-${i}`, name: `磁盘告警-${i}`, summary: `主机 web-${i} 使用率过高：${long}`, description: `详细说明：${long}` };
    });
    return { alerts, parsed };
  }

  it.each(['markdown', 'text', 'textcard'])('keeps every %s body the fake receives within limits', async (msgtype) => {
    const { alerts, parsed } = chineseAlerts();
    const notification = { ...notificationOf(parsed, 'ops-app'), alerts, commonLabels: { ...parsed.commonLabels, alertname: '数据库主从复制延迟过高'.repeat(6) } };
    const format = messageFormat('app', msgtype);
    const messages = pack([{ id: 'n1', notification, offset: 0, partsSent: 0 }], { engine, format, timezone: 'Asia/Shanghai', now: FIXED_NOW });
    expect(messages.length).toBeGreaterThan(1);
    const channel = channelFor(appConfig({ msgtype }));
    const results = [];
    for (const packed of messages) results.push(await channel.send(packed));
    expect(results.every((result) => result.ok)).toBe(true);
    const bodies = fake.sends('/message/send').map((r) => r.body);
    expect(bodies).toHaveLength(messages.length);
    for (const body of bodies) {
      expect(body.msgtype).toBe(msgtype);
      if (msgtype === 'textcard') {
        expect(Buffer.byteLength(body.textcard.title)).toBeLessThanOrEqual(128);
        expect(Buffer.byteLength(body.textcard.description)).toBeLessThanOrEqual(512);
        expect(body.textcard.url).toMatch(/^https?:\/\//);
      } else {
        expect(Buffer.byteLength(body[msgtype].content)).toBeLessThanOrEqual(2048);
      }
    }
    const covered = messages.flatMap((m) => m.sections.flatMap((s) => alerts.slice(s.start, s.end).map((a) => a.fingerprint)));
    expect(covered).toEqual(alerts.map((alert) => alert.fingerprint));
  });
});

describe('AppChannel secrets', () => {
  it('never puts the secret or a token into an error or warning', async () => {
    const channel = channelFor(appConfig({ to_user: 'zhangsan|token-1' }));
    const leak = `secret ${SECRET} token token-1 url ${fake.url}/cgi-bin/message/send?access_token=token-1&corpsecret=${SECRET}`;
    const replies = [
      { json: { errcode: 40058, errmsg: leak } },
      { json: { errcode: 60020, errmsg: `${leak}, from ip: 198.51.100.9` } },
      { status: 200, text: `<html>${leak}</html>` },
      { json: { errcode: 0, errmsg: 'ok', invaliduser: 'token-1' } },
      { json: { errcode: 45009, errmsg: leak } },
    ];
    fake.replySequence('/message/send', replies);
    const results = [];
    for (let i = 0; i < replies.length; i++) results.push(await channel.send(message('text', '告警')));
    const texts = results.flatMap((result) => (result.ok ? result.warnings : [result.error]));
    expect(texts).toHaveLength(replies.length);
    for (const text of texts) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('token-1');
    }
    expect(channel.secrets()).toEqual([SECRET, 'token-1']);
  });

  it('redacts the secret when gettoken fails on the network or echoes it', async () => {
    fake.replySequence('/gettoken', [{ json: { errcode: 40001, errmsg: `invalid credential corpsecret=${SECRET} ${SECRET}` } }]);
    const echoed = await channelFor().send(message('text', '告警'));
    const unreachable = await new AppChannel('ops-app', appConfig(), { http, apiBase: 'http://127.0.0.1:9', rateLimitedBackoffMs: 60_000, tokens: new TokenCache() }).send(message('text', '告警'));
    for (const result of [echoed, unreachable]) {
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).not.toContain(SECRET);
    }
    expect(unreachable).toMatchObject({ ok: false, retry: true, reason: 'network' });
  });
});
