import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { validateConfig } from '../../src/config/load';
import type { CardAlert } from '../../src/interactive/action-store';
import { buttonCard, newTaskId, noticeCard, parseSilenceKey, silenceKey } from '../../src/interactive/card-builder';
import { ackLine, silenceLine, whereOf } from '../../src/interactive/card-text';
import { matchersOf, SilenceClient } from '../../src/interactive/silence-client';
import { SAMPLE_AES_KEY } from '../support/fake-wecom-callback';

/** Card bodies (发送应用消息 template_card, /90236), silence requests (Alertmanager v2 / Grafana) and the config rules. */
const alert = (labels: Record<string, string>, extra: Partial<CardAlert> = {}): CardAlert => ({ fingerprint: 'f1', name: 'DiskFull', source: 'alertmanager', severity: 'critical', labels, startsAt: '2026-12-01T02:32:00Z', summary: '磁盘空间不足', ...extra });
const content = { title: '告警 · DiskFull', text: '磁盘空间不足', url: 'https://example.com/a', source: 'Alertmanager' };
const options = { silenceDurations: [3_600_000, 14_400_000, 86_400_000], timezone: 'Asia/Shanghai' };

describe('card builder', () => {
  it('builds a button_interaction card with where, severity and since in server.timezone', () => {
    const card = buttonCard('wa_1', content, [alert({ alertname: 'DiskFull', cluster: 'prod-gz', namespace: 'default', instance: 'web-01' })], options);
    expect(card).toMatchObject({ card_type: 'button_interaction', task_id: 'wa_1', card_action: { type: 1, url: 'https://example.com/a' }, main_title: { title: '告警 · DiskFull' } });
    expect(card.horizontal_content_list).toEqual([
      { keyname: '级别', value: '严重' },
      { keyname: '位置', value: 'prod-gz / default / web-01' },
      { keyname: '开始', value: '12-01 10:32' },
    ]);
    expect((card.button_list as { key: string }[]).map((b) => b.key)).toEqual(['ack', 'silence:3600000', 'silence:14400000', 'silence:86400000']);
  });

  it('keeps every field within its byte limit for huge Chinese values', () => {
    const long = '磁'.repeat(500);
    const card = buttonCard('wa_1', { ...content, title: long, text: long, source: long }, [alert({ cluster: long, instance: long })], options, { ack: { user: long, at: 0 }, error: long });
    expect(Buffer.byteLength((card.main_title as { title: string }).title)).toBeLessThanOrEqual(78);
    expect(Buffer.byteLength(card.sub_title_text as string)).toBeLessThanOrEqual(336);
    for (const field of card.horizontal_content_list as { keyname: string; value: string }[]) {
      expect(Buffer.byteLength(field.keyname)).toBeLessThanOrEqual(15);
      expect(Buffer.byteLength(field.value)).toBeLessThanOrEqual(78);
    }
    expect((card.horizontal_content_list as unknown[]).length).toBeLessThanOrEqual(6);
  });

  it('reflects acknowledgement and silence: no ack button once acknowledged, grey replace_text once silenced', () => {
    const at = Date.parse('2026-12-01T02:32:00Z');
    const acked = buttonCard('wa_1', content, [alert({})], options, { ack: { user: 'zhangsan', at } });
    expect((acked.button_list as { key: string }[]).map((b) => b.key)).not.toContain('ack');
    expect(acked.horizontal_content_list).toContainEqual({ keyname: '认领', value: 'zhangsan 已认领 10:32' });
    const silenced = buttonCard('wa_1', content, [alert({})], options, { silence: { user: 'zhangsan', at, until: at + 4 * 3_600_000, ids: ['abc'], url: 'http://am/#/silences/abc' } });
    expect(silenced.replace_text).toBe('已静默至 14:32 by zhangsan');
    expect(silenced.jump_list).toEqual([{ type: 1, title: '查看或解除静默', url: 'http://am/#/silences/abc' }]);
  });

  it('uses text_notice without buttons for other messages', () => {
    expect(noticeCard(content)).toEqual({ card_type: 'text_notice', source: { desc: 'Alertmanager', desc_color: 0 }, main_title: { title: '告警 · DiskFull' }, sub_title_text: '磁盘空间不足', card_action: { type: 1, url: 'https://example.com/a' } });
  });

  it('makes valid unique task ids and round-trips only configured silence keys', () => {
    const ids = new Set(Array.from({ length: 100 }, () => newTaskId(Date.now())));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_\-@]{1,128}$/);
    expect(parseSilenceKey(silenceKey(3_600_000), options.silenceDurations)).toBe(3_600_000);
    expect(parseSilenceKey('silence:999999999', options.silenceDurations)).toBeUndefined();
    expect(parseSilenceKey('ack', options.silenceDurations)).toBeUndefined();
  });

  it('writes status lines in server.timezone, with the date when the silence ends another day', () => {
    const at = Date.parse('2026-12-01T15:00:00Z'); // 23:00 Shanghai
    expect(ackLine('lisi', at, 'Asia/Shanghai')).toBe('lisi 已认领 23:00');
    expect(silenceLine('lisi', at, at + 3_600_000, 'Asia/Shanghai')).toBe('已静默至 12-02 00:00 by lisi');
    expect(whereOf([{ labels: { instance: 'a' } }, { labels: {} }])).toBe('a 等 2 条');
  });
});

describe('silence client', () => {
  it('builds equality matchers on the chosen labels, falling back to all labels', () => {
    expect(matchersOf({ alertname: 'A', instance: 'i', job: 'j' }, ['alertname', 'instance'])).toEqual([
      { name: 'alertname', value: 'A', isRegex: false, isEqual: true },
      { name: 'instance', value: 'i', isRegex: false, isEqual: true },
    ]);
    expect(matchersOf({ job: 'j' }, ['alertname']).map((m) => m.name)).toEqual(['job']);
  });

  it("posts to Grafana's Alertmanager-compatible API with the service-account token", async () => {
    const seen: { url?: string; auth?: string; body?: any }[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      let text = '';
      req.on('data', (chunk) => (text += chunk));
      req.on('end', () => {
        seen.push({ url: req.url, auth: req.headers.authorization, body: JSON.parse(text) });
        res.writeHead(202, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: 'silence created', silenceID: 'g-123' }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const outcome = await new SilenceClient().create({ kind: 'grafana', url, token: 'glsa_test' }, { alert: alert({ alertname: 'A', grafana_folder: 'f' }, { source: 'grafana' }), matchLabels: [], startsAt: 0, endsAt: 3_600_000, createdBy: 'zhangsan', comment: 'c' });
      expect(outcome).toEqual({ ok: true, id: 'g-123', link: `${url}/alerting/silence/g-123/edit` });
      expect(seen[0].url).toBe('/api/alertmanager/grafana/api/v2/silences');
      expect(seen[0].auth).toBe('Bearer glsa_test');
      expect(seen[0].body).toMatchObject({ createdBy: 'zhangsan', startsAt: '1970-01-01T00:00:00.000Z', endsAt: '1970-01-01T01:00:00.000Z' });
    } finally {
      server.close();
    }
  });

  it('returns the API error as a sentence', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end('{"code":400,"message":"invalid matcher"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const outcome = await new SilenceClient().create({ kind: 'alertmanager', url }, { alert: alert({ alertname: 'A' }), matchLabels: [], startsAt: 0, endsAt: 1, createdBy: 'u', comment: 'c' });
      expect(outcome).toEqual({ ok: false, error: expect.stringMatching(/^alertmanager 127\.0\.0\.1:\d+ answered HTTP 400: .*invalid matcher/) });
    } finally {
      server.close();
    }
  });
});

describe('config', () => {
  const base = (app: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    receivers: [{ name: 'oncall', app: { corp_id: 'ww1', secret: 's', agent_id: 1, to_user: 'u', ...app } }, { name: 'lead', robot: { key: 'k' } }],
    route: { receiver: 'oncall' },
    ...extra,
  });
  const problems = (input: Record<string, unknown>) => {
    try {
      validateConfig(input, 'config.yaml', '/tmp', {});
      return [];
    } catch (err) {
      return (err as { problems?: string[] }).problems ?? [String(err)];
    }
  };

  it('requires callback with msgtype template_card and validates the key shape', () => {
    expect(problems(base({ msgtype: 'template_card' }))).toEqual([expect.stringContaining('receivers[0].app.callback: required with msgtype template_card')]);
    expect(problems(base({ msgtype: 'template_card', callback: { token: 'abc', encoding_aes_key: 'short' } }))[0]).toContain('receivers[0].app.callback.encoding_aes_key');
    expect(problems(base({ msgtype: 'template_card', callback: { token: 'abc', encoding_aes_key: SAMPLE_AES_KEY } }))).toEqual([]);
  });

  it('checks escalation steps name known receivers and rotas', () => {
    const route = { receiver: 'oncall', routes: [{ matchers: ['severity="critical"'], escalation: { steps: [{ receiver: 'nobody' }, { oncall: 'nope' }] } }] };
    const found = problems(base({ msgtype: 'template_card', callback: { token: 'abc', encoding_aes_key: SAMPLE_AES_KEY } }, { route }));
    expect(found).toEqual([expect.stringContaining('route.routes[0].escalation.steps[0].receiver: unknown receiver "nobody"'), expect.stringContaining('route.routes[0].escalation.steps[1].oncall: unknown oncall rota "nope"')]);
  });
});
