import request from 'supertest';
import { FakeWecom } from '../support/fake-wecom';
import { buildApp, robotConfig, type TestApp } from '../support/build-app';
import { loadFixture, rawFixture } from '../support/fixtures';
import { parseMarkdownMessage } from '../support/markdown-message';

/** Every Grafana and Kibana fixture, through the running app, to the fake robot (issue 3). */
describe('Grafana and Kibana sources, end to end', () => {
  let fake: FakeWecom;
  let t: TestApp;
  beforeEach(async () => {
    fake = await new FakeWecom().start();
    t = await buildApp(robotConfig(fake.url));
  });
  afterEach(async () => {
    await t.close();
    await fake.stop();
  });

  async function deliver(source: string, fixture: string, contentType = 'application/json'): Promise<string> {
    const res = await request(t.app).post(`/webhook/${source}`).set('Content-Type', contentType).send(rawFixture(fixture));
    expect(res.status).toBe(200);
    await fake.waitFor(() => fake.accepted().length === 1, 5000, fixture);
    const content: string = fake.accepted()[0].body.markdown.content;
    expect(Buffer.byteLength(content)).toBeLessThanOrEqual(4096);
    return content;
  }

  it('grafana unified firing: status, names, values, dashboard/panel/silence links', async () => {
    const content = await deliver('grafana', 'grafana-unified-firing.json');
    const message = parseMarkdownMessage(content);
    expect(message.titleLine).toBe('## 🔴 <font color="warning">**严重**</font> MySQL连接数过高');
    expect([...message.counts]).toEqual([['严重', 2]]);
    const fixture = loadFixture('grafana-unified-firing.json');
    // Each alert once, critical, with its own readable value (B; the threshold expression C is dropped).
    expect(message.alerts.map((alert) => [alert.key, alert.status, alert.badge.label])).toEqual(
      fixture.alerts.map((alert: any) => [alert.labels.instance, 'firing', '严重']),
    );
    message.alerts.forEach((alert, i) => expect(alert.text).toContain(`> 当前值 B=${fixture.alerts[i].values.B}\n`));
    expect(content).toContain(`[看板](${fixture.alerts[0].dashboardURL})`);
    expect(content).toContain(`[面板](${fixture.alerts[0].panelURL})`);
    expect(content).toContain(`[静默](${fixture.alerts[0].silenceURL})`);
  });

  it('grafana unified resolved: recovery vs MissingSeries shown as what it is', async () => {
    const message = parseMarkdownMessage(await deliver('grafana', 'grafana-unified-resolved.json'));
    expect([...message.counts]).toEqual([['已结束', 1], ['恢复', 1]]);
    // db-slave-02 ended by MissingSeries: 已结束, grey, with the reason — not dressed as a recovery;
    // listed before the recovery, in the same order as the header counts.
    expect(message.alerts.map((alert) => [alert.key, alert.status, alert.layout, alert.badge])).toEqual([
      ['db-slave-02:9104', 'resolved', 'quiet', { emoji: '⚪', color: 'comment', label: '已结束（数据缺失·MissingSeries）', bold: false }],
      ['db-master-01:9104', 'resolved', 'quiet', { emoji: '✅', color: 'info', label: '已恢复', bold: false }],
    ]);
  });

  it('grafana legacy alerting and ok', async () => {
    const firing = parseMarkdownMessage(await deliver('grafana', 'grafana-legacy-alerting.json'));
    const fixture = loadFixture('grafana-legacy-alerting.json');
    expect(firing.title).toBe(fixture.ruleName);
    expect(firing.alerts.map((alert) => [alert.status, alert.badge.label])).toEqual([['firing', '严重']]);
    expect(firing.content).toContain(`[截图](${fixture.imageUrl})`);
    fake.requests.length = 0;
    const res = await request(t.app).post('/webhook/grafana').set('Content-Type', 'application/json').send(rawFixture('grafana-legacy-ok.json')).expect(200);
    expect(res.body.alerts).toBe(1);
    await fake.waitFor(() => fake.accepted().length === 1);
    const ok = parseMarkdownMessage(fake.accepted()[0].body.markdown.content);
    expect(ok.title).toBe(fixture.ruleName);
    expect(ok.alerts.map((alert) => [alert.status, alert.badge.label])).toEqual([['resolved', '已恢复']]);
  });

  it('grafana legacy paused is accepted and not delivered, with the reason', async () => {
    const paused = { ...loadFixture('grafana-legacy-alerting.json'), state: 'paused' };
    const res = await request(t.app).post('/webhook/grafana').set('Content-Type', 'application/json').send(paused).expect(200);
    expect(res.body).toMatchObject({ status: 'accepted', alerts: 0, notifications: 0 });
    expect(res.body.skipped).toMatch(/paused/);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fake.sends()).toHaveLength(0);
  });

  it.each([
    ['kibana-rule-es-query.json', 'firing', '严重'],
    ['kibana-rule-index-threshold.json', 'firing', '警告'],
    ['kibana-rule-recovered.json', 'resolved', '已恢复'],
    ['kibana-watcher-recommended.json', 'firing', '严重'],
    ['kibana-watcher-ctx.json', 'firing', '严重'],
  ])('kibana %s', async (fixture, status, badge) => {
    const message = parseMarkdownMessage(await deliver('kibana', fixture));
    expect(message.alerts.map((alert) => [alert.status, alert.badge.label])).toEqual([[status, badge]]);
    const body = loadFixture(fixture);
    const name = body.rule?.name ?? body.metadata?.name ?? body.watch_id;
    expect(message.title).toBe(name);
  });

  it('kibana accepts a body without a JSON content type (Kibana connectors may send none)', async () => {
    const message = parseMarkdownMessage(await deliver('kibana', 'kibana-rule-es-query.json', 'application/x-www-form-urlencoded'));
    expect(message.title).toBe(loadFixture('kibana-rule-es-query.json').rule.name);
    expect(message.alerts.map((alert) => alert.status)).toEqual(['firing']);
  });

  it('links back to Kibana and shows the matching count', async () => {
    const content = await deliver('kibana', 'kibana-rule-es-query.json');
    const body = loadFixture('kibana-rule-es-query.json');
    expect(content).toContain(`\n> 当前值 ${body.context.value}\n`);
    expect(content).toMatch(/\[查看\]\(https?:\/\//);
  });
});
