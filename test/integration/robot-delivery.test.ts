import request from 'supertest';
import { FakeWecom } from '../support/fake-wecom';
import { buildApp, robotConfig, type TestApp } from '../support/build-app';
import { loadFixture, rawFixture } from '../support/fixtures';
import { runningFromFixedNow } from '../support/fixed-clock';
import { parseMarkdownMessage } from '../support/markdown-message';

/** The exact body of real-alertmanager-0.25-firing.json at FIXED_NOW (as in its golden file). */
const REAL_FIRING_BODY = [
  '## 🔴 <font color="warning">**严重**</font> DiskFull',
  '🔴 严重 2 · [查看全部](http://127.0.0.1:19093)',
  '',
  '🔴 <font color="warning">**严重**</font> web-01',
  '> 磁盘空间不足',
  '> 主机 web-01 的 /data 分区使用率为 93%',
  '> 2026-11-22 20:13 起',
  '[查看](http://127.0.0.1:19090/graph?g0.expr=disk_used_percent) [静默](http://127.0.0.1:19093/#/silences/new?filter=%7Balertname%3D%22DiskFull%22%2Cinstance%3D%22web-01%22%2Cseverity%3D%22critical%22%7D)',
  '',
  '🔴 <font color="warning">**严重**</font> web-02',
  '> 磁盘空间不足',
  '> 主机 web-02 的 /data 分区使用率为 97%',
  '> 2026-11-22 20:13 起',
  '[静默](http://127.0.0.1:19093/#/silences/new?filter=%7Balertname%3D%22DiskFull%22%2Cinstance%3D%22web-02%22%2Cseverity%3D%22critical%22%7D)',
].join('\n');

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
    t = await buildApp(robotConfig(fake.url), { clock: runningFromFixedNow() });
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
    expect(content).toBe(REAL_FIRING_BODY);
    await waitUntil(async () => (await t.metricValue('wecom_adapter_notifications_total', { receiver: 'ops', outcome: 'sent' })) === 1);
  });

  it('packs a 24-alert payload into one compact message, and splits 150 alerts into numbered parts', async () => {
    t = await buildApp(robotConfig(fake.url));
    await request(t.app).post('/webhook/alertmanager').set('Content-Type', 'application/json').send(rawFixture('alertmanager-many.json')).expect(200);
    await fake.waitFor(() => fake.accepted().length === 1);
    const compact = parseMarkdownMessage(fake.accepted()[0].body.markdown.content);
    expect(compact.titleLine).toBe('## 🔴 <font color="warning">**严重**</font> HostDiskUsageHigh');
    expect([...compact.counts]).toEqual([['严重', 4], ['警告', 13], ['恢复', 7]]);
    // Storm layout: one line per alert, each alert once, critical → warning → resolved.
    expect(compact.groups.map((group) => [group.name, group.badge.label, group.count])).toEqual([
      ['HostDiskUsageHigh', '严重', 4],
      ['HostDiskUsageHigh', '警告', 13],
      ['HostDiskUsageHigh', '已恢复', 7],
    ]);
    expect(compact.alerts).toHaveLength(24);
    expect(new Set(compact.alerts.map((alert) => alert.key)).size).toBe(24);
    expect(compact.alerts.every((alert) => alert.layout === 'storm')).toBe(true);

    const many = loadFixture('real-alertmanager-0.25-firing.json');
    many.alerts = Array.from({ length: 150 }, (_, i) => ({
      ...many.alerts[0],
      labels: { alertname: 'DiskFull', instance: `db-${String(i).padStart(3, '0')}`, severity: 'critical' },
      annotations: { summary: `数据库主机 db-${i} 的数据盘使用率已超过 95%，写入即将失败，请立即扩容或清理归档日志` },
      fingerprint: `f${String(i).padStart(15, '0')}`,
    }));
    await request(t.app).post('/webhook/alertmanager').set('Content-Type', 'application/json').send(many).expect(200);
    const delivered = () => fake.accepted().slice(1).map((send) => send.body.markdown.content as string);
    const listed = () => delivered().flatMap((content) => parseMarkdownMessage(content).alerts);
    await fake.waitFor(() => listed().length >= 150, 5000, '150 alerts');
    const parts = delivered();
    expect(parts.length).toBeGreaterThan(1);
    parts.forEach((content, i) => {
      expect(Buffer.byteLength(content)).toBeLessThanOrEqual(4096);
      const part = parseMarkdownMessage(content);
      expect(part.part).toEqual({ index: i + 1, total: parts.length });
      expect(part.titleLine).toBe(`## 🔴 <font color="warning">**严重**</font> DiskFull (${i + 1}/${parts.length})`);
      expect([...part.counts]).toEqual([['严重', 150]]);
    });
    const alerts = listed();
    expect(alerts.every((alert) => alert.name === 'DiskFull' && alert.badge.label === '严重' && alert.status === 'firing')).toBe(true);
    const instances = alerts.map((alert) => /^db-\d{3}\b/.exec(alert.key)?.[0]);
    expect(instances).toEqual(Array.from({ length: 150 }, (_, i) => `db-${String(i).padStart(3, '0')}`));
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
