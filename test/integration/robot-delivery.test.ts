import request from 'supertest';
import { FakeWecom } from '../support/fake-wecom';
import { buildApp, robotConfig, type TestApp } from '../support/build-app';
import { loadFixture, rawFixture } from '../support/fixtures';

describe('Alertmanager → robot, end to end', () => {
  let fake: FakeWecom;
  let t: TestApp;

  beforeEach(async () => {
    fake = await new FakeWecom().start();
  });
  afterEach(async () => {
    await t?.close();
    await fake.stop();
  });

  it('delivers a captured payload as markdown under 4096 bytes with the exact body', async () => {
    t = await buildApp(robotConfig(fake.url));
    const res = await request(t.app).post('/webhook/alertmanager').set('Content-Type', 'application/json').send(rawFixture('real-alertmanager-0.25-firing.json'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'accepted', alerts: 2, notifications: 1 });
    await fake.waitFor(() => fake.sends().length === 1);
    const [send] = fake.sends();
    expect(send.path).toBe('/cgi-bin/webhook/send');
    expect(send.query.get('key')).toBe('test-robot-key-0001');
    expect(Object.keys(send.body)).toEqual(['msgtype', 'markdown']);
    expect(send.body.msgtype).toBe('markdown');
    const content: string = send.body.markdown.content;
    expect(Buffer.byteLength(content)).toBeLessThanOrEqual(4096);
    expect(content.split('\n')[0]).toBe('## <font color="warning">告警 2 条</font> · DiskFull');
    expect(content).toContain('**DiskFull** <font color="warning">严重</font>');
    expect(content).toContain('> 实例：web-01');
    expect(content).toContain('> 实例：web-02');
    expect(content).toContain('> 摘要：磁盘空间不足');
    await waitUntil(async () => (await t.metricValue('wecom_adapter_notifications_total', { receiver: 'ops', outcome: 'sent' })) === 1);
  });

  it('packs a 24-alert payload into one compact message, and splits 150 alerts into numbered parts', async () => {
    t = await buildApp(robotConfig(fake.url));
    await request(t.app).post('/webhook/alertmanager').set('Content-Type', 'application/json').send(rawFixture('alertmanager-many.json')).expect(200);
    await fake.waitFor(() => fake.accepted().length === 1);
    const compact: string = fake.accepted()[0].body.markdown.content;
    expect(compact.split('\n')[0]).toBe('## <font color="warning">告警 17 条</font> · <font color="info">恢复 7 条</font> · HostDiskUsageHigh');
    expect(compact.match(/\*\*HostDiskUsageHigh\*\* \S+/g)).toHaveLength(24);

    const many = loadFixture('real-alertmanager-0.25-firing.json');
    many.alerts = Array.from({ length: 150 }, (_, i) => ({
      ...many.alerts[0],
      labels: { alertname: 'DiskFull', instance: `db-${String(i).padStart(3, '0')}`, severity: 'critical' },
      annotations: { summary: `数据库主机 db-${i} 的数据盘使用率已超过 95%，写入即将失败，请立即扩容或清理归档日志` },
      fingerprint: `f${String(i).padStart(15, '0')}`,
    }));
    await request(t.app).post('/webhook/alertmanager').set('Content-Type', 'application/json').send(many).expect(200);
    const delivered = () => fake.accepted().slice(1).map((send) => send.body.markdown.content as string);
    await fake.waitFor(() => (delivered().join('\n').match(/\*\*DiskFull\*\* db-\d+/g)?.length ?? 0) >= 150, 5000, '150 alerts');
    const parts = delivered();
    expect(parts.length).toBeGreaterThan(1);
    parts.forEach((content, i) => {
      expect(Buffer.byteLength(content)).toBeLessThanOrEqual(4096);
      expect(content.split('\n')[0]).toContain(`(${i + 1}/${parts.length})`);
    });
    const instances = parts.join('\n').match(/\*\*DiskFull\*\* (db-\d+)/g)!;
    expect(instances).toHaveLength(150);
    expect(new Set(instances).size).toBe(150);
  });

  it('treats errcode != 0 in HTTP 200 as a failure: 93000 goes to dead letters, counted', async () => {
    fake = await (await fake.stop(), new FakeWecom({ robotKeys: ['another-key'] })).start();
    t = await buildApp(robotConfig(fake.url));
    await request(t.app).post('/webhook/alertmanager').set('Content-Type', 'application/json').send(rawFixture('alertmanager-firing.json')).expect(200);
    await fake.waitFor(() => fake.sends().length === 1);
    await waitUntil(async () => (await t.service.store.deadLetters()).length === 1);
    const [letter] = await t.service.store.deadLetters();
    expect(letter).toMatchObject({ receiver: 'ops', errcode: 93000, reason: 'invalid_webhook' });
    expect(letter.error).toContain('机器人 key 无效');
    expect(await t.metricValue('wecom_adapter_wecom_errors_total', { receiver: 'ops', errcode: '93000' })).toBe(1);
    expect(await t.metricValue('wecom_adapter_notifications_total', { receiver: 'ops', outcome: 'failed' })).toBe(1);
    expect(t.logs.join('')).not.toContain('test-robot-key-0001');
  });

  it('routes the pinned receiver URL and answers 404 for an unknown one', async () => {
    t = await buildApp(robotConfig(fake.url));
    await request(t.app).post('/webhook/alertmanager/nope').set('Content-Type', 'application/json').send(rawFixture('alertmanager-firing.json')).expect(404);
    await request(t.app).post('/webhook/alertmanager/ops').set('Content-Type', 'application/json').send(rawFixture('alertmanager-firing.json')).expect(200);
    await fake.waitFor(() => fake.sends().length === 1);
  });
});

async function waitUntil(predicate: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
