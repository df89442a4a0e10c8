import { kibanaSource } from '../../src/sources/kibana';
import { CONNECTOR_TEST_TITLE, isConnectorTest, unrenderedFields } from '../../src/sources/kibana/connector-test';
import { SAMPLE_HIT_CHARS, SAMPLE_HITS } from '../../src/sources/kibana/sample-hits';
import { esQueryVariables } from '../support/kibana-es-query';
import { readBodyTemplate, renderKibanaBody } from '../support/kibana-render';
import { loadFixture, rawFixture } from '../support/fixtures';

/**
 * The published Kibana bodies rendered with real mustache.js the way Kibana renders webhook bodies
 * (test/support/kibana-render.ts) for an ES-query rule with 100 ordinary log documents
 * (test/support/kibana-es-query.ts), the connector Test tab (the template posted unrendered), and
 * multi-line messages (issue 14 item 3).
 */
const NOW = new Date('2025-03-18T02:20:00.000Z');
const MIB = 1024 * 1024;
const V2 = readBodyTemplate('kibana-webhook-body.mustache');
const V1 = readBodyTemplate('kibana-webhook-body-v1.mustache');
const parse = (text: string) => kibanaSource.parse(JSON.parse(text), NOW);

describe('kibana: an ES-query rule with 100 whole log documents', () => {
  const variables = esQueryVariables();

  it('v1 body (whole context) is over 1 MiB and still parses to the alert, with a few sample hits', () => {
    const body = renderKibanaBody(V1, variables);
    expect(Buffer.byteLength(body)).toBeGreaterThan(MIB);
    const [alert] = parse(body).alerts;
    expect(alert).toMatchObject({ status: 'firing', name: '订单服务错误日志激增', severity: 'critical', value: '1374' });
    expect(alert.labels).toMatchObject({ team: 'sre', rule_type: '.es-query' });
    const lines = alert.description.split('\n');
    expect(lines[0]).toBe('Document count is 1374 in the last 5m in logs-order-service-* index. Alert when greater than 50.');
    expect(lines.filter((line) => line.startsWith('- '))).toHaveLength(SAMPLE_HITS);
    expect(lines[3]).toMatch(/^- k8s-node-10 支付网关调用超时，订单 100200300 结算失败/);
  });

  it('v2 body embeds only key fields of each hit: small, same alert, same samples', () => {
    const v1 = parse(renderKibanaBody(V1, variables)).alerts[0];
    const body = renderKibanaBody(V2, variables);
    expect(Buffer.byteLength(body)).toBeLessThan(MIB / 32);
    const parsed = parse(body);
    const [alert] = parsed.alerts;
    expect(JSON.parse(body).schema_version).toBe('2');
    expect(alert).toEqual(v1);
    expect(parsed.skipped).toBeUndefined();
  });

  it('cuts long sample lines and skips hits without host or message', () => {
    const long = esQueryVariables({ hits: 5 });
    const hits = (long.context as { hits: Array<{ _source: Record<string, unknown> }> }).hits;
    hits[0]._source = { '@timestamp': '2025-03-18T02:14:00.000Z' };
    hits[1]._source.message = 'x'.repeat(1000);
    for (const template of [V1, V2]) {
      const samples = parse(renderKibanaBody(template, long)).alerts[0].description.split('\n').filter((line) => line.startsWith('- '));
      expect(samples).toHaveLength(SAMPLE_HITS);
      expect([...samples[0]].length).toBe(SAMPLE_HIT_CHARS + 2);
      expect(samples[0].endsWith('…')).toBe(true);
    }
  });

  it('a recovery (no hits) has no sample block', () => {
    const recovered = esQueryVariables({ hits: 0 });
    (recovered.alert as Record<string, unknown>).actionGroup = 'recovered';
    for (const template of [V1, V2]) {
      const [alert] = parse(renderKibanaBody(template, recovered)).alerts;
      expect(alert.status).toBe('resolved');
      expect(alert.description).not.toContain('sample hits');
    }
  });
});

describe('kibana: v2 and v1 bodies of the same action', () => {
  it('kibana-rule-es-query-v2.json normalizes exactly like kibana-rule-es-query.json (v1)', () => {
    const v2 = kibanaSource.parse(loadFixture('kibana-rule-es-query-v2.json'), NOW);
    const v1 = kibanaSource.parse(loadFixture('kibana-rule-es-query.json'), NOW);
    expect(v2).toEqual(v1);
  });

  it('kibana-rule-connector-test.json is the v2 template exactly as the Test tab posts it', () => {
    expect(rawFixture('kibana-rule-connector-test.json')).toBe(V2);
    expect(kibanaSource.parse(loadFixture('kibana-rule-connector-test.json'), NOW).alerts).toEqual([]);
  });
});

describe('kibana: the connector Test tab (body posted unrendered)', () => {
  it.each([
    ['v2 body', V2],
    ['v1 body', V1],
  ])('recognizes the %s as a connector test and makes no alert of it', (_name, template) => {
    const body = JSON.parse(template);
    expect(unrenderedFields(body)).toEqual(['rule.id', 'rule.name', 'alert.action_group', 'alert.id', 'date']);
    const parsed = kibanaSource.parse(body, NOW);
    expect(parsed.alerts).toEqual([]);
    expect(parsed.notice?.title).toBe(CONNECTOR_TEST_TITLE);
    expect(parsed.notice?.content).not.toMatch(/\{\{|\}\}/);
    expect(parsed.skipped).toMatch(/does not render Mustache/);
  });

  it('also when only one identity field is left unrendered (a hand-edited body)', () => {
    const body = loadFixture('kibana-rule-es-query.json');
    body.alert.action_group = '{{alert.actionGroup}}';
    expect(isConnectorTest(body)).toBe(true);
    expect(kibanaSource.parse(body, NOW).notice).toBeDefined();
  });

  it('never takes a rendered body for a test, even with braces in the message', () => {
    for (const name of ['kibana-rule-es-query.json', 'kibana-rule-recovered.json', 'kibana-rule-index-threshold.json']) {
      const body = loadFixture(name);
      body.context.message = 'template {{not rendered}} inside a log line';
      expect(isConnectorTest(body)).toBe(false);
      expect(kibanaSource.parse(body, NOW).alerts).toHaveLength(1);
    }
  });

  it('leaves Watcher bodies alone', () => {
    for (const name of ['kibana-watcher-recommended.json', 'kibana-watcher-ctx.json']) {
      const parsed = kibanaSource.parse(JSON.parse(rawFixture(name)), NOW);
      expect(parsed.notice).toBeUndefined();
      expect(parsed.alerts).toHaveLength(1);
    }
  });
});

describe('kibana: multi-line context.message', () => {
  it("keeps the index-threshold message's line breaks in the description", () => {
    const body = loadFixture('kibana-rule-index-threshold.json');
    const [alert] = kibanaSource.parse(body, NOW).alerts;
    expect(alert.description).toBe(body.context.message);
    expect(alert.description.split('\n')).toEqual([
      "alert '数据节点磁盘使用率过高' is active for group 'es-data-02':",
      '',
      '- Value: 0.934',
      '- Conditions Met: max(system.filesystem.used.pct) is greater than 0.85 over 10m',
      '- Timestamp: 2025-03-18T03:02:11.904Z',
    ]);
  });
});
