import request from 'supertest';
import { FakeWecom } from '../support/fake-wecom';
import { buildApp, robotConfig, type TestApp } from '../support/build-app';
import { rawFixture } from '../support/fixtures';
import { MAX_LABELS } from '../../src/unknown-receivers/unknown-receiver-log';

/**
 * `/webhook/{source}/{receiver}` with a receiver the config does not have: still 404 (a config
 * error; Alertmanager drops it), but logged at error level with the sender's address, counted in
 * wecom_adapter_unknown_receiver_total (bounded labels) and listed by the console API.
 */
const TOKEN = 'unknown-receiver-test-token-7781';

describe('webhooks to an unknown receiver', () => {
  let fake: FakeWecom;
  let t: TestApp;
  beforeEach(async () => {
    fake = await new FakeWecom().start();
    t = await buildApp(robotConfig(fake.url, {}, { server: { auth: { bearer_tokens: [TOKEN] } } }));
  });
  afterEach(async () => {
    await t.close();
    await fake.stop();
  });

  const post = (path: string) =>
    request(t.app).post(path).set('Authorization', `Bearer ${TOKEN}`).set('Content-Type', 'application/json').set('X-Forwarded-For', '10.20.30.40').set('User-Agent', 'Alertmanager/0.25.0').send(rawFixture('real-alertmanager-0.25-firing.json'));
  const errorLines = () => t.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.level === 50);

  it('answers 404 naming the receiver, logs an error with the sender address, counts it and shows it in the console API', async () => {
    const res = await post('/webhook/alertmanager/dba-robot');
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('unknown receiver "dba-robot" (configured: ops)');

    const [line] = errorLines();
    expect(line).toMatchObject({ source: 'alertmanager', receiver: 'dba-robot', userAgent: 'Alertmanager/0.25.0' });
    // No server.trusted_proxies: the socket address, not what X-Forwarded-For claims.
    expect(String(line.sender)).toMatch(/127\.0\.0\.1|::1/);
    expect(String(line.msg)).toContain('unknown receiver');
    expect(t.logs.join('\n')).not.toContain(TOKEN);

    expect(await t.metricValue('wecom_adapter_unknown_receiver_total', { source: 'alertmanager', receiver: 'dba-robot' })).toBe(1);
    expect(await t.metricValue('wecom_adapter_webhook_requests_total', { source: 'alertmanager', code: '404' })).toBe(1);

    const api = await request(t.app).get('/ui/api/unknown-receivers').set('Authorization', `Bearer ${TOKEN}`).expect(200);
    expect(api.body.timezone).toBe('Asia/Shanghai');
    expect(api.body.unknownReceivers).toHaveLength(1);
    expect(api.body.unknownReceivers[0]).toMatchObject({ source: 'alertmanager', receiver: 'dba-robot' });
    expect(api.body.unknownReceivers[0].time).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(api.body.unknownReceivers[0].sender).toBe(line.sender);
    expect(fake.sends()).toHaveLength(0);
  });

  it('behind a trusted proxy, the sender is the client the proxy names in X-Forwarded-For', async () => {
    await t.close();
    t = await buildApp(robotConfig(fake.url, {}, { server: { auth: { bearer_tokens: [TOKEN] }, trusted_proxies: ['loopback'] } }));
    expect((await post('/webhook/alertmanager/dba-robot')).status).toBe(404);
    expect(errorLines()[0]).toMatchObject({ receiver: 'dba-robot', sender: '10.20.30.40' });
    const api = await request(t.app).get('/ui/api/unknown-receivers').set('Authorization', `Bearer ${TOKEN}`).expect(200);
    expect(api.body.unknownReceivers[0].sender).toBe('10.20.30.40');
  });

  it('is checked before the body: a typo is reported even when the body is wrong too', async () => {
    const res = await request(t.app).post('/webhook/grafana/sre-robot').set('Authorization', `Bearer ${TOKEN}`).set('Content-Type', 'text/plain').send('x');
    expect(res.status).toBe(404);
    expect(await t.metricValue('wecom_adapter_unknown_receiver_total', { source: 'grafana', receiver: 'sre-robot' })).toBe(1);
  });

  it('a known receiver is not affected, and unauthenticated requests are refused before they are counted', async () => {
    expect((await post('/webhook/alertmanager/ops')).status).toBe(200);
    const anonymous = await request(t.app).post('/webhook/alertmanager/dba-robot').set('Content-Type', 'application/json').send('{}');
    expect(anonymous.status).toBe(401);
    expect(await t.metricValue('wecom_adapter_unknown_receiver_total')).toBe(0);
    expect(errorLines()).toHaveLength(0);
    expect((await request(t.app).get('/ui/api/unknown-receivers').set('Authorization', `Bearer ${TOKEN}`)).body.unknownReceivers).toEqual([]);
  });

  it('bounds the metric labels: names outside the receiver-name pattern and beyond the first distinct ones count as "other"', async () => {
    for (let i = 0; i < MAX_LABELS + 5; i++) expect((await post(`/webhook/kibana/typo-${i}`)).status).toBe(404);
    expect((await post('/webhook/kibana/%E5%91%8A%E8%AD%A6')).status).toBe(404);
    const metric = await t.metrics.registry.getSingleMetric('wecom_adapter_unknown_receiver_total')!.get();
    const labels = metric.values.map((value) => String(value.labels.receiver));
    expect(new Set(labels).size).toBe(MAX_LABELS + 1);
    expect(await t.metricValue('wecom_adapter_unknown_receiver_total', { receiver: 'other' })).toBe(6);
    expect(await t.metricValue('wecom_adapter_unknown_receiver_total', { receiver: 'typo-0' })).toBe(1);
    // The console keeps the last few, newest first, with the real names.
    const api = await request(t.app).get('/ui/api/unknown-receivers').set('Authorization', `Bearer ${TOKEN}`).expect(200);
    expect(api.body.unknownReceivers[0].receiver).toBe('告警');
    expect(api.body.unknownReceivers.length).toBeLessThanOrEqual(20);
    expect(api.body.unknownReceivers[1].receiver).toBe(`typo-${MAX_LABELS + 4}`);
  });
});
