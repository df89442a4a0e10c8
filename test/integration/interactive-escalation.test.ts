import { rmSync } from 'node:fs';
import request from 'supertest';
import { buildApp, type TestApp } from '../support/build-app';
import { FakeWecom } from '../support/fake-wecom';
import { SAMPLE_AES_KEY, WecomCallbackSender } from '../support/fake-wecom-callback';

/**
 * Escalation with a fake clock: an unacknowledged critical alert escalates on time to the next
 * step (mentioning the current on-call member), stops on 认领 and on resolve, and its timer
 * survives a restart (the ActionStore holds it).
 */
const SECRET = 'app-secret-0123456789abcdef';
const CORP = 'ww0123456789abcdef';
const TOKEN = 'cbToken123';
const AGENT = 1000002;
const MIN = 60_000;

let fake: FakeWecom;
let t: TestApp;
let now = Date.parse('2026-12-01T02:00:00Z'); // 10:00 in Asia/Shanghai
const clock = () => now;
const sender = new WecomCallbackSender({ token: TOKEN, encodingAesKey: SAMPLE_AES_KEY, corpId: CORP, agentId: AGENT }, clock);

function config() {
  return {
    wecom: { api_base: fake.url, timeout: '2s' },
    delivery: { retry: { initial_backoff: '20ms', max_backoff: '200ms', rate_limited_backoff: '200ms' } },
    receivers: [
      { name: 'oncall', app: { corp_id: CORP, secret: SECRET, agent_id: AGENT, to_user: 'zhangsan|lisi', msgtype: 'template_card', callback: { token: TOKEN, encoding_aes_key: SAMPLE_AES_KEY } } },
      { name: 'lead', robot: { key: 'lead-robot-key-0001' } },
    ],
    oncall: [{ name: 'primary', members: ['zhangsan', 'lisi'], start: '2026-11-30', handoff: '09:00' }],
    route: {
      receiver: 'oncall',
      routes: [{ matchers: ['severity="critical"'], receiver: 'oncall', escalation: { severity: 'critical', after: '10m', steps: [{ receiver: 'lead', oncall: 'primary' }, { receiver: 'lead', after: '20m' }] } }],
    },
  };
}

function payload(status: 'firing' | 'resolved', severity = 'critical') {
  const startsAt = new Date(now - MIN).toISOString();
  return {
    version: '4',
    groupKey: '{}:{alertname="DiskFull"}',
    status,
    receiver: 'adapter',
    groupLabels: { alertname: 'DiskFull' },
    commonLabels: { alertname: 'DiskFull', severity },
    commonAnnotations: {},
    externalURL: 'http://127.0.0.1:19093',
    truncatedAlerts: 0,
    alerts: [
      {
        status,
        labels: { alertname: 'DiskFull', severity, instance: 'web-01', cluster: 'prod-gz' },
        annotations: { summary: '磁盘空间不足' },
        startsAt,
        endsAt: status === 'resolved' ? new Date(now).toISOString() : '0001-01-01T00:00:00Z',
        generatorURL: 'http://127.0.0.1:19090/graph',
        fingerprint: 'c0ffee0000000001',
      },
    ],
  };
}

async function fire(severity = 'critical'): Promise<string> {
  await request(t.app).post('/webhook/alertmanager').send(payload('firing', severity)).expect(200);
  await fake.waitFor(() => fake.accepted('/message/send').length >= 1, 5000, 'the card');
  return fake.accepted('/message/send')[0].body.template_card.task_id;
}

const robotSends = () => fake.accepted('/webhook/send');

beforeEach(async () => {
  now = Date.parse('2026-12-01T02:00:00Z');
  fake = await new FakeWecom({ apps: { [SECRET]: { corpid: CORP } } }).start();
});

afterEach(async () => {
  await t?.close();
  await fake.stop();
});

describe('escalation of unacknowledged interactive cards', () => {
  it('escalates on time, mentions the on-call member, then takes the next step', async () => {
    t = await buildApp(config(), { clock });
    await fire();
    now += 9 * MIN;
    expect(await t.service.escalation!.tick()).toBe(0);
    now += 1 * MIN;
    expect(await t.service.escalation!.tick()).toBe(1);
    await fake.waitFor(() => robotSends().length === 1, 5000, 'the escalation message');
    // 2026-12-01 10:10 local: the second day of the rota → lisi is on call.
    const content = robotSends()[0].body.markdown.content as string;
    expect(content).toContain('升级 1/2');
    expect(content).toContain('DiskFull · prod-gz');
    expect(content).toContain('<@lisi>');
    expect(await t.metricValue('wecom_adapter_escalations_total', { outcome: 'notified' })).toBe(1);
    // Step 2 waits its own 20m.
    now += 19 * MIN;
    expect(await t.service.escalation!.tick()).toBe(0);
    now += 1 * MIN;
    expect(await t.service.escalation!.tick()).toBe(1);
    await fake.waitFor(() => robotSends().length >= 2, 5000, 'the second escalation');
    expect(robotSends()[1].body.markdown.content).toContain('升级 2/2');
    // No third step.
    now += 60 * MIN;
    expect(await t.service.escalation!.tick()).toBe(0);
    expect((await t.service.actions!.recentAudit(5)).filter((entry) => entry.action === 'escalate')).toHaveLength(2);
  });

  it('stops when someone clicks 认领', async () => {
    t = await buildApp(config(), { clock });
    const taskId = await fire();
    now += 5 * MIN;
    const click = sender.click({ user: 'zhangsan', taskId, eventKey: 'ack' });
    await request(t.app).post('/wecom/callback/oncall').query(click.query).set('content-type', 'text/xml').send(click.body).expect(200);
    now += 30 * MIN;
    expect(await t.service.escalation!.tick()).toBe(0);
    expect(await t.metricValue('wecom_adapter_escalations_total', { outcome: 'acknowledged' })).toBe(1);
    expect(robotSends()).toHaveLength(0);
  });

  it('stops when the alert resolves', async () => {
    t = await buildApp(config(), { clock });
    await fire();
    now += 3 * MIN;
    await request(t.app).post('/webhook/alertmanager').send(payload('resolved')).expect(200);
    now += 10 * MIN;
    expect(await t.service.escalation!.tick()).toBe(0);
    expect(await t.metricValue('wecom_adapter_escalations_total', { outcome: 'resolved' })).toBe(1);
    expect(robotSends()).toHaveLength(0);
  });

  it('does not escalate alerts below the policy severity', async () => {
    t = await buildApp(config(), { clock });
    const taskId = await fire('warning');
    now += 60 * MIN;
    expect(await t.service.escalation!.tick()).toBe(0);
    expect(await t.service.actions!.card(taskId)).toBeDefined();
    expect(await t.service.actions!.due(now, 10)).toEqual([]);
  });

  it('keeps the timer across a restart', async () => {
    t = await buildApp(config(), { clock });
    await fire();
    const dir = t.dir;
    await t.service.stop();
    now += 11 * MIN;
    const again = await buildApp(config(), { clock, dir });
    try {
      expect(await again.service.escalation!.tick()).toBe(1);
      await fake.waitFor(() => robotSends().length === 1, 5000, 'the escalation after restart');
    } finally {
      await again.close();
    }
    t = { ...t, close: async () => rmSync(dir, { recursive: true, force: true }) };
  });
});
