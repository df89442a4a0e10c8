import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { buildApp, type TestApp } from '../support/build-app';
import { FakeWecom } from '../support/fake-wecom';
import { SAMPLE_AES_KEY, WecomCallbackSender } from '../support/fake-wecom-callback';
import { describeWithBinaries, startAlertmanager, startRedisServer, type RunningAlertmanager, type RunningRedis } from '../support/real-binaries';
import { waitUntil } from '../support/service-process';

/**
 * Two replicas sharing a real redis-server: a card sent by one can be clicked through the other,
 * and one click delivered to both (WeCom retrying through a load balancer) creates exactly one
 * silence in a real Alertmanager (checked with amtool) and one card update. Acks and the audit log
 * are shared.
 */
const SECRET = 'app-secret-0123456789abcdef';
const CORP = 'ww0123456789abcdef';
const TOKEN = 'cbToken123';
const AGENT = 1000002;

describeWithBinaries('interactive cards across replicas with Redis', ['redis-server', 'prometheus-alertmanager', 'amtool'], (bins) => {
  let dir: string;
  let fake: FakeWecom;
  let redis: RunningRedis;
  let am: RunningAlertmanager;
  const replicas: TestApp[] = [];
  const sender = new WecomCallbackSender({ token: TOKEN, encodingAesKey: SAMPLE_AES_KEY, corpId: CORP, agentId: AGENT });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wecom-interactive-replicas-'));
    fake = await new FakeWecom({ apps: { [SECRET]: { corpid: CORP } } }).start();
    redis = await startRedisServer(bins['redis-server'], join(dir, 'redis'));
    // Alertmanager only receives silences here; its webhook points nowhere that answers.
    am = await startAlertmanager({ bins, dir: join(dir, 'am'), webhookUrl: 'http://127.0.0.1:9/unused' });
    const config = {
      wecom: { api_base: fake.url, timeout: '2s' },
      storage: { redis: { url: redis.url, key_prefix: 'ix:', lease: '1500ms' } },
      receivers: [
        { name: 'oncall', app: { corp_id: CORP, secret: SECRET, agent_id: AGENT, to_user: 'zhangsan', msgtype: 'template_card', callback: { token: TOKEN, encoding_aes_key: SAMPLE_AES_KEY, alertmanager_url: am.url } } },
        { name: 'lead', robot: { key: 'lead-robot-key-0001' } },
      ],
      route: { receiver: 'oncall', routes: [{ matchers: ['instance="web-02"'], receiver: 'oncall', escalation: { after: '1s', steps: [{ receiver: 'lead' }] } }] },
    };
    for (const name of ['a', 'b']) {
      const replica = await buildApp(config, { dir: join(dir, name) });
      replicas.push(replica);
      await waitUntil(async () => (await replica.service.ready()).ok, 10_000, `replica ${name} ready`);
    }
  }, 60_000);

  afterAll(async () => {
    for (const replica of replicas) await replica.close();
    await am?.proc.stop();
    await redis?.proc.stop();
    await fake?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  const firing = (instance: string, fingerprint: string) => ({
    version: '4',
    groupKey: `{}:{instance="${instance}"}`,
    status: 'firing',
    receiver: 'adapter',
    groupLabels: { instance },
    commonLabels: { alertname: 'DiskFull', instance },
    commonAnnotations: {},
    externalURL: am.url,
    truncatedAlerts: 0,
    alerts: [{ status: 'firing', labels: { alertname: 'DiskFull', instance, severity: 'critical' }, annotations: { summary: '磁盘空间不足' }, startsAt: new Date().toISOString(), endsAt: '0001-01-01T00:00:00Z', generatorURL: '', fingerprint }],
  });

  it('acts on one click once, whichever replicas receive it', async () => {
    const [a, b] = replicas;
    await request(a.app).post('/webhook/alertmanager').send(firing('web-01', 'aa00000000000001')).expect(200);
    await fake.waitFor(() => fake.accepted('/message/send').length === 1, 10_000, 'the card');
    const taskId = fake.accepted('/message/send')[0].body.template_card.task_id as string;

    const click = sender.click({ user: 'zhangsan', taskId, eventKey: 'silence:3600000', responseCode: 'RC-R' });
    const send = (replica: TestApp) => request(replica.app).post('/wecom/callback/oncall').query(click.query).set('content-type', 'text/xml').send(click.body);
    const answers = await Promise.all([send(a), send(b), send(b)]);
    expect(answers.map((res) => res.status)).toEqual([200, 200, 200]);

    const query = spawnSync(bins.amtool, ['silence', 'query', '-o', 'json', `--alertmanager.url=${am.url}`], { encoding: 'utf8', timeout: 20_000 });
    expect(query.status).toBe(0);
    expect(JSON.parse(query.stdout)).toHaveLength(1);
    await fake.waitFor(() => fake.accepted('/update_template_card').length === 1, 5000, 'the card update');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(fake.sends('/update_template_card')).toHaveLength(1);
    const duplicates = (await a.metricValue('wecom_adapter_callbacks_total', { outcome: 'duplicate' })) + (await b.metricValue('wecom_adapter_callbacks_total', { outcome: 'duplicate' }));
    expect(duplicates).toBe(2);

    // A second person acknowledges through the other replica; both see it.
    const ack = sender.click({ user: 'lisi', taskId, eventKey: 'ack' });
    await request(b.app).post('/wecom/callback/oncall').query(ack.query).set('content-type', 'text/xml').send(ack.body).expect(200);
    expect((await a.service.actions!.recentAcks(5)).map((entry) => entry.user)).toEqual(['lisi']);
    expect((await a.service.actions!.recentAudit(5)).map((entry) => `${entry.action}:${entry.user}:${entry.result}`)).toEqual(['ack:lisi:ok', 'silence:zhangsan:ok']);
  }, 60_000);

  it('takes each escalation step once although every replica runs the scheduler', async () => {
    const [a, b] = replicas;
    await request(b.app).post('/webhook/alertmanager').send(firing('web-02', 'aa00000000000002')).expect(200);
    await fake.waitFor(() => fake.accepted('/message/send').length === 2, 10_000, 'the second card');
    await new Promise((resolve) => setTimeout(resolve, 1200));
    await Promise.all([a.service.escalation!.tick(), b.service.escalation!.tick(), a.service.escalation!.tick(), b.service.escalation!.tick()]);
    await fake.waitFor(() => fake.accepted('/webhook/send').length === 1, 10_000, 'the escalation message');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fake.accepted('/webhook/send')).toHaveLength(1);
    const notified = (await a.metricValue('wecom_adapter_escalations_total', { outcome: 'notified' })) + (await b.metricValue('wecom_adapter_escalations_total', { outcome: 'notified' }));
    expect(notified).toBe(1);
  }, 30_000);
});
