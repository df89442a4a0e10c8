import request from 'supertest';
import { FakeWecom } from '../support/fake-wecom';
import { buildApp, robotConfig, type TestApp } from '../support/build-app';
import { loadFixture, rawFixture } from '../support/fixtures';
import { esQueryVariables } from '../support/kibana-es-query';
import { readBodyTemplate, renderKibanaBody } from '../support/kibana-render';

/**
 * Grafana No Data / Error, state reasons, "Max alerts", legacy alerts with hundreds of series, and
 * Kibana Test-tab / big bodies, through the running app to the fake robot (issue 14 items 2, 3).
 * Assertions are on the facts a message must carry, not on the template layout.
 */
describe('real sender states, end to end', () => {
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

  async function post(source: string, body: string | Buffer, path = `/webhook/${source}`) {
    return request(t.app).post(path).set('Content-Type', 'application/json').send(body);
  }

  /** delivered posts a body and returns the text of everything WeCom accepted for it. */
  async function delivered(source: string, body: string, path?: string): Promise<string> {
    const res = await post(source, body, path);
    expect(res.status).toBe(200);
    await fake.waitFor(() => fake.accepted().length >= 1, 5000, source);
    await new Promise((resolve) => setTimeout(resolve, 50));
    return fake
      .accepted()
      .map((sent) => {
        const message = sent.body[sent.body.msgtype];
        return typeof message?.content === 'string' ? message.content : JSON.stringify(sent.body);
      })
      .join('\n');
  }

  it('grafana DatasourceError: the affected rule, "查询错误" and the error text', async () => {
    const content = await delivered('grafana', rawFixture('grafana-unified-error.json'));
    expect(content).toContain('MySQL连接数过高');
    expect(content).toContain('查询错误');
    expect(content).toContain('connection refused');
  });

  it('grafana DatasourceNoData: the affected rule and "无数据"', async () => {
    const content = await delivered('grafana', rawFixture('grafana-unified-nodata.json'));
    expect(content).toContain('MySQL连接数过高');
    expect(content).toContain('无数据');
  });

  it('grafana firing with state reason NoData / Error: no-data and error said in words, with the error text', async () => {
    const content = await delivered('grafana', rawFixture('grafana-unified-state-reason-firing.json'));
    expect(content).toContain('无数据');
    expect(content).toContain('查询错误');
    expect(content).toContain('context deadline exceeded');
  });

  it('grafana "Max alerts": the left-out count is said', async () => {
    const content = await delivered('grafana', rawFixture('grafana-unified-truncated.json'));
    expect(content).toMatch(/另有 17 条/);
  });

  it('grafana legacy with 300 series: a bounded list, the count of the rest, the start time and the rule link survive', async () => {
    const body = loadFixture('grafana-legacy-many-series.json');
    const res = await post('grafana', rawFixture('grafana-legacy-many-series.json'));
    expect(res.status).toBe(200);
    await fake.waitFor(() => fake.accepted().length >= 1, 5000);
    const content: string = fake.accepted()[0].body.markdown.content;
    expect(Buffer.byteLength(content)).toBeLessThanOrEqual(4096);
    expect(content).toContain('另有 295 个');
    expect(content).not.toContain('node-299.prod-sh');
    // Legacy alerts carry no start: the time the adapter received it, today (HH:mm) in server.timezone.
    expect(content).toMatch(/^> \d\d:\d\d 起$/m);
    expect(content).toContain(body.ruleUrl);
  });

  it('kibana v1 body over 1 MiB (100 whole documents) is accepted and delivered', async () => {
    const body = renderKibanaBody(readBodyTemplate('kibana-webhook-body-v1.mustache'), esQueryVariables());
    expect(Buffer.byteLength(body)).toBeGreaterThan(1024 * 1024);
    const content = await delivered('kibana', body);
    expect(content).toContain('订单服务错误日志激增');
    expect(content).toContain('1374');
  });

  it('the 1 MiB limit still holds for the other sources', async () => {
    const big = JSON.stringify({ ...loadFixture('alertmanager-firing.json'), padding: 'x'.repeat(1024 * 1024) });
    const res = await post('alertmanager', big);
    expect(res.status).toBe(413);
    expect(res.body.error).toMatch(/server\.body_limit/);
  });

  it('kibana v2 body: small, delivered with the rule and the count', async () => {
    const body = renderKibanaBody(readBodyTemplate('kibana-webhook-body.mustache'), esQueryVariables());
    expect(Buffer.byteLength(body)).toBeLessThan(64 * 1024);
    const content = await delivered('kibana', body);
    expect(content).toContain('订单服务错误日志激增');
    expect(content).toContain('1374');
  });

  it('kibana connector Test tab: 200 and a short test notice, never {{…}}', async () => {
    const res = await post('kibana', rawFixture('kibana-rule-connector-test.json'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'accepted', alerts: 0, notifications: 1 });
    expect(res.body.skipped).toMatch(/does not render Mustache/);
    await fake.waitFor(() => fake.accepted().length === 1, 5000);
    const sent = JSON.stringify(fake.accepted()[0].body);
    expect(sent).toContain('Kibana 连接器测试已收到');
    expect(sent).not.toMatch(/\{\{[^{}]*\}\}/);
  });

  it('kibana connector Test tab on a pinned receiver goes to that receiver; an unknown one is 404', async () => {
    const res = await post('kibana', rawFixture('kibana-rule-connector-test.json'), '/webhook/kibana/ops');
    expect(res.status).toBe(200);
    await fake.waitFor(() => fake.accepted().length === 1, 5000);
    expect((await post('kibana', rawFixture('kibana-rule-connector-test.json'), '/webhook/kibana/nobody')).status).toBe(404);
  });
});

describe('server.kibana_body_limit', () => {
  it('bounds Kibana bodies on its own (413 naming the key)', async () => {
    const fake = await new FakeWecom().start();
    const t = await buildApp(robotConfig(fake.url, {}, { server: { kibana_body_limit: '1MiB' } }));
    try {
      const body = renderKibanaBody(readBodyTemplate('kibana-webhook-body-v1.mustache'), esQueryVariables());
      const res = await request(t.app).post('/webhook/kibana').set('Content-Type', 'application/json').send(body);
      expect(res.status).toBe(413);
      expect(res.body.error).toMatch(/kibana_body_limit/);
    } finally {
      await t.close();
      await fake.stop();
    }
  });
});
