import request from 'supertest';
import { FakeWecom } from '../support/fake-wecom';
import { buildApp, robotConfig, type TestApp } from '../support/build-app';
import { loadFixture, rawFixture } from '../support/fixtures';

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
    expect(content.split('\n')[0]).toBe('## <font color="warning">告警 2 条</font> · MySQL连接数过高');
    expect(content).toMatch(/> 当前值：B=\d+(\.\d+)?, C=1/);
    const fixture = loadFixture('grafana-unified-firing.json');
    expect(content).toContain(`[看板](${fixture.alerts[0].dashboardURL})`);
    expect(content).toContain(`[面板](${fixture.alerts[0].panelURL})`);
    expect(content).toContain(`[静默](${fixture.alerts[0].silenceURL})`);
  });

  it('grafana unified resolved: recovery vs MissingSeries shown as what it is', async () => {
    const content = await deliver('grafana', 'grafana-unified-resolved.json');
    expect(content).toContain('<font color="info">已恢复</font>');
    expect(content).toContain('<font color="comment">已结束（数据缺失·MissingSeries，非恢复）</font>');
  });

  it('grafana legacy alerting and ok', async () => {
    const firing = await deliver('grafana', 'grafana-legacy-alerting.json');
    const fixture = loadFixture('grafana-legacy-alerting.json');
    expect(firing).toContain(`**${fixture.ruleName}**`);
    expect(firing).toContain('告警 1 条');
    expect(firing).toContain('[截图](');
    fake.requests.length = 0;
    const res = await request(t.app).post('/webhook/grafana').set('Content-Type', 'application/json').send(rawFixture('grafana-legacy-ok.json')).expect(200);
    expect(res.body.alerts).toBe(1);
    await fake.waitFor(() => fake.accepted().length === 1);
    expect(fake.accepted()[0].body.markdown.content).toContain('已恢复 1 条');
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
    ['kibana-rule-es-query.json', '告警 1 条'],
    ['kibana-rule-index-threshold.json', '告警 1 条'],
    ['kibana-rule-recovered.json', '已恢复 1 条'],
    ['kibana-watcher-recommended.json', '告警 1 条'],
    ['kibana-watcher-ctx.json', '告警 1 条'],
  ])('kibana %s', async (fixture, header) => {
    const content = await deliver('kibana', fixture);
    expect(content.split('\n')[0]).toContain(header);
    const body = loadFixture(fixture);
    const name = body.rule?.name ?? body.metadata?.name ?? body.watch_id;
    expect(content).toContain(`**${name}**`);
  });

  it('kibana accepts a body without a JSON content type (Kibana connectors may send none)', async () => {
    const content = await deliver('kibana', 'kibana-rule-es-query.json', 'application/x-www-form-urlencoded');
    expect(content).toContain('告警 1 条');
  });

  it('links back to Kibana and shows the matching count', async () => {
    const content = await deliver('kibana', 'kibana-rule-es-query.json');
    const body = loadFixture('kibana-rule-es-query.json');
    expect(content).toContain(`> 当前值：${body.context.value}`);
    expect(content).toMatch(/\[查看\]\(https?:\/\//);
  });
});
