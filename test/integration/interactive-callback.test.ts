import { rmSync } from 'node:fs';
import request from 'supertest';
import { buildApp, type TestApp } from '../support/build-app';
import { FakeWecom } from '../support/fake-wecom';
import { SAMPLE_AES_KEY, WecomCallbackSender } from '../support/fake-wecom-callback';
import { loadFixture } from '../support/fixtures';

/**
 * Acting from a WeCom card, end to end in-process: an alert → the app receiver sends a
 * button_interaction card to the fake WeCom → the fake sends a signed, encrypted click → the
 * acknowledgement is recorded durably and the card is updated through update_template_card.
 * Forged callbacks do nothing and are counted. Fixture: real Alertmanager 0.25 payload
 * (test/fixtures/README); callback format: WeCom /90968 and /90376 (test/support/fake-wecom-callback.ts).
 */
const SECRET = 'app-secret-0123456789abcdef';
const CORP = 'ww0123456789abcdef';
const TOKEN = 'cbToken123';
const AGENT = 1000002;

let fake: FakeWecom;
let t: TestApp;
const sender = new WecomCallbackSender({ token: TOKEN, encodingAesKey: SAMPLE_AES_KEY, corpId: CORP, agentId: AGENT });

function config(callback: Record<string, unknown> = {}) {
  return {
    wecom: { api_base: fake.url, timeout: '2s' },
    delivery: { retry: { initial_backoff: '20ms', max_backoff: '200ms', rate_limited_backoff: '200ms' } },
    receivers: [
      { name: 'oncall', app: { corp_id: CORP, secret: SECRET, agent_id: AGENT, to_user: 'zhangsan|lisi', msgtype: 'template_card', callback: { token: TOKEN, encoding_aes_key: SAMPLE_AES_KEY, ...callback } } },
      { name: 'plain', app: { corp_id: CORP, secret: SECRET, agent_id: AGENT, to_user: 'zhangsan' } },
      { name: 'team-robot', robot: { key: 'team-robot-key-0001' } },
    ],
    route: { receiver: 'oncall' },
  };
}

beforeEach(async () => {
  fake = await new FakeWecom({ apps: { [SECRET]: { corpid: CORP } } }).start();
});

afterEach(async () => {
  await t?.close();
  await fake.stop();
});

async function cardSent(): Promise<any> {
  const payload = loadFixture('real-alertmanager-0.25-firing.json');
  await request(t.app).post('/webhook/alertmanager').send(payload).expect(200);
  await fake.waitFor(() => fake.accepted('/message/send').length === 1, 5000, 'the card');
  return fake.accepted('/message/send')[0].body;
}

const post = (req: { query: Record<string, string>; body: string }) => request(t.app).post('/wecom/callback/oncall').query(req.query).set('content-type', 'text/xml').send(req.body);

describe('interactive app cards', () => {
  it('sends firing alerts as a button_interaction card with 认领 and 静默 buttons', async () => {
    t = await buildApp(config());
    const body = await cardSent();
    expect(body.msgtype).toBe('template_card');
    const card = body.template_card;
    expect(card.card_type).toBe('button_interaction');
    expect(card.task_id).toMatch(/^[A-Za-z0-9_\-@]{1,128}$/);
    expect(card.button_list.map((b: any) => [b.text, b.key])).toEqual([
      ['认领 Ack', 'ack'],
      ['静默 1h', 'silence:3600000'],
      ['静默 4h', 'silence:14400000'],
      ['静默 24h', 'silence:86400000'],
    ]);
    expect(Buffer.byteLength(card.main_title.title)).toBeLessThanOrEqual(78);
    expect(card.horizontal_content_list).toEqual(expect.arrayContaining([{ keyname: '级别', value: expect.any(String) }, { keyname: '位置', value: expect.stringContaining('web-01') }]));
    const stored = await t.service.actions!.card(card.task_id);
    expect(stored?.alerts.map((a) => a.name)).toEqual(['DiskFull', 'DiskFull']);
    expect(stored?.alerts[0].externalURL).toBe('http://127.0.0.1:19093');
  });

  it('answers the URL verification with the decrypted echostr, exactly', async () => {
    t = await buildApp(config());
    const res = await request(t.app).get('/wecom/callback/oncall').query(sender.urlVerification('8371629934572'));
    expect(res.status).toBe(200);
    expect(res.text).toBe('8371629934572');
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(await t.metricValue('wecom_adapter_callbacks_total', { receiver: 'oncall', outcome: 'verified' })).toBe(1);
  });

  it('records a click on 认领 durably, updates the card for everyone, and ignores WeCom retries', async () => {
    t = await buildApp(config());
    const card = (await cardSent()).template_card;
    const click = sender.click({ user: 'zhangsan', taskId: card.task_id, eventKey: 'ack', responseCode: 'RESPONSE_CODE_1' });
    const res = await post(click);
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    await fake.waitFor(() => fake.accepted('/update_template_card').length === 1, 5000, 'the card update');
    const update = fake.accepted('/update_template_card')[0].body;
    expect(update).toMatchObject({ agentid: AGENT, response_code: 'RESPONSE_CODE_1', userids: ['zhangsan', 'lisi'] });
    expect(update.template_card.task_id).toBe(card.task_id);
    const ackField = update.template_card.horizontal_content_list.find((f: any) => f.keyname === '认领');
    expect(ackField.value).toMatch(/^zhangsan 已认领 \d\d:\d\d$/);
    expect(update.template_card.button_list.map((b: any) => b.key)).not.toContain('ack');

    const [first] = (await t.service.actions!.card(card.task_id))!.alerts;
    const ack = await t.service.actions!.ackOf(first.fingerprint, first.startsAt);
    expect(ack).toMatchObject({ user: 'zhangsan', taskId: card.task_id, alertName: 'DiskFull' });
    expect((await t.service.actions!.recentAudit(10))[0]).toMatchObject({ action: 'ack', user: 'zhangsan', result: 'ok', receiver: 'oncall' });
    // Shown in the web console's JSON API.
    const console = (await request(t.app).get('/ui/api/card-actions').expect(200)).body;
    expect(console.acks.map((a: any) => [a.user, a.alertName, a.taskId])).toEqual([
      ['zhangsan', 'DiskFull', card.task_id],
      ['zhangsan', 'DiskFull', card.task_id],
    ]);
    expect(console.audit[0]).toMatchObject({ action: 'ack', user: 'zhangsan', result: 'ok', time: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/) });
    expect(await t.metricValue('wecom_adapter_card_actions_total', { receiver: 'oncall', action: 'ack', result: 'ok' })).toBe(1);
    const histogram = await t.metrics.timeToAck.get();
    expect(histogram.values.find((v) => v.metricName === 'wecom_adapter_time_to_ack_seconds_count' && v.labels.receiver === 'oncall')?.value).toBe(2);

    // WeCom retries the same event when it thinks we were slow: answered, nothing done twice.
    expect((await post(click)).status).toBe(200);
    expect(await t.metricValue('wecom_adapter_callbacks_total', { receiver: 'oncall', outcome: 'duplicate' })).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fake.sends('/update_template_card')).toHaveLength(1);
    expect(await t.metricValue('wecom_adapter_card_actions_total', { receiver: 'oncall', action: 'ack' })).toBe(1);
  });

  it('counts a failed card update in wecom_errors_total by errcode, like every other WeCom failure', async () => {
    t = await buildApp(config());
    const card = (await cardSent()).template_card;
    fake.replySequence('/update_template_card', [{ json: { errcode: 45009, errmsg: 'api freq out of limit' } }]);
    await post(sender.click({ user: 'zhangsan', taskId: card.task_id, eventKey: 'ack', responseCode: 'RESPONSE_CODE_2' })).expect(200);
    await fake.waitFor(() => fake.sends('/update_template_card').length === 1, 5000, 'the card update');
    await t.waitForMetric('wecom_adapter_card_updates_total', { receiver: 'oncall', outcome: 'failed' }, 1);
    expect(await t.metricValue('wecom_adapter_wecom_errors_total', { receiver: 'oncall', errcode: '45009' })).toBe(1);
    // The acknowledgement itself stands: only the card's new look was refused.
    expect(await t.metricValue('wecom_adapter_card_actions_total', { receiver: 'oncall', action: 'ack', result: 'ok' })).toBe(1);
  });

  it('keeps acknowledgements across a restart (SQLite under storage.path)', async () => {
    t = await buildApp(config(), { dir: undefined });
    const card = (await cardSent()).template_card;
    await post(sender.click({ user: 'lisi', taskId: card.task_id, eventKey: 'ack' })).expect(200);
    const stored = (await t.service.actions!.card(card.task_id))!;
    const dir = t.dir;
    await t.service.stop();
    const again = await buildApp(config(), { dir, start: false });
    try {
      expect(await again.service.actions!.ackOf(stored.alerts[0].fingerprint, stored.alerts[0].startsAt)).toMatchObject({ user: 'lisi' });
      expect((await again.service.actions!.card(card.task_id))?.state.ack?.user).toBe('lisi');
    } finally {
      await again.service.stop();
    }
    t = { ...t, close: async () => rmSync(dir, { recursive: true, force: true }) };
  });

  const forgeries: [string, Parameters<WecomCallbackSender['click']>[1], number, string][] = [
    ['an unsigned request', { unsigned: true }, 401, 'unsigned'],
    ['a wrong signature', { wrongToken: true }, 401, 'bad_signature'],
    ['another corp id', { corpId: 'wwforeign00000000' }, 401, 'wrong_corp'],
    ['a stale timestamp (replay)', { timestamp: Math.floor(Date.now() / 1000) - 3600 }, 401, 'stale_timestamp'],
    ['garbage ciphertext', { garbage: true }, 400, 'bad_ciphertext'],
  ];
  it.each(forgeries)('refuses %s: nothing is done, it is counted and logged without secrets', async (_what, forgery, status, outcome) => {
    t = await buildApp(config());
    const card = (await cardSent()).template_card;
    const res = await post(sender.click({ user: 'mallory', taskId: card.task_id, eventKey: 'silence:3600000' }, forgery));
    expect(res.status).toBe(status);
    expect(res.body.error).toEqual(expect.any(String));
    expect(await t.metricValue('wecom_adapter_callbacks_total', { receiver: 'oncall', outcome })).toBe(1);
    expect((await t.service.actions!.card(card.task_id))?.state).toEqual({});
    expect(await t.service.actions!.recentAudit(10)).toEqual([]);
    expect(fake.sends('/update_template_card')).toHaveLength(0);
    const log = t.logs.join('\n');
    expect(log).toContain('WeCom callback refused');
    expect(log).not.toContain(TOKEN);
    expect(log).not.toContain(SAMPLE_AES_KEY);
  });

  it('is not behind inbound auth, and answers 404 for receivers without callback', async () => {
    t = await buildApp({ ...config(), server: { auth: { bearer_tokens: ['inbound-token-123'] } } });
    expect((await request(t.app).get('/wecom/callback/oncall').query(sender.urlVerification('42'))).text).toBe('42');
    expect((await request(t.app).get('/wecom/callback/plain').query(sender.urlVerification('42'))).status).toBe(404);
    expect((await request(t.app).get('/wecom/callback/nobody').query(sender.urlVerification('42'))).status).toBe(404);
  });

  it('answers 500 when the store fails, and acts on WeCom\'s retry of the same event', async () => {
    t = await buildApp(config());
    const card = (await cardSent()).template_card;
    const click = sender.click({ user: 'zhangsan', taskId: card.task_id, eventKey: 'ack' });
    jest.spyOn(t.service.actions!, 'recordAck').mockRejectedValueOnce(new Error('disk I/O error'));
    expect((await post(click)).status).toBe(500);
    expect(await t.metricValue('wecom_adapter_callbacks_total', { receiver: 'oncall', outcome: 'error' })).toBe(1);
    expect((await post(click)).status).toBe(200);
    expect(await t.metricValue('wecom_adapter_callbacks_total', { receiver: 'oncall', outcome: 'clicked' })).toBe(1);
    expect((await t.service.actions!.card(card.task_id))?.state.ack?.user).toBe('zhangsan');
  });

  it('tells the callback.notify receiver who acknowledged what', async () => {
    t = await buildApp(config({ notify: 'team-robot' }));
    const card = (await cardSent()).template_card;
    await post(sender.click({ user: 'zhangsan', taskId: card.task_id, eventKey: 'ack' })).expect(200);
    await fake.waitFor(() => fake.accepted('/webhook/send').length === 1, 5000, 'the robot notification');
    expect(fake.accepted('/webhook/send')[0].body.markdown.content).toContain('zhangsan 认领了 DiskFull · web-01');
  });

  it('refuses users outside callback.allow_users and audits the refusal', async () => {
    t = await buildApp(config({ allow_users: ['zhangsan'] }));
    const card = (await cardSent()).template_card;
    expect((await post(sender.click({ user: 'wangwu', taskId: card.task_id, eventKey: 'ack' }))).status).toBe(200);
    expect(await t.metricValue('wecom_adapter_callbacks_total', { receiver: 'oncall', outcome: 'denied' })).toBe(1);
    expect((await t.service.actions!.recentAudit(1))[0]).toMatchObject({ user: 'wangwu', action: 'ack', result: 'denied' });
    expect((await t.service.actions!.card(card.task_id))?.state.ack).toBeUndefined();
    expect(fake.sends('/update_template_card')).toHaveLength(0);
  });
});
