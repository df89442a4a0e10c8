import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { assertOnlyBadRequests, badRequestOf } from '../support/field-replacement';
import { kibanaSource } from '../../src/sources/kibana';
import { HttpError } from '../../src/http/errors';
import { identityFingerprint } from '../../src/model/fingerprint';

/* eslint-disable @typescript-eslint/no-explicit-any */
const fixture = (name: string): any => JSON.parse(readFileSync(join(__dirname, '../fixtures/payloads', name), 'utf8'));
const NOW = new Date('2025-03-18T02:40:00.000Z');
const parse = (body: unknown) => kibanaSource.parse(body, NOW);

/** failure runs the parser and returns the HttpError 400 it must throw. */
const failure = (body: unknown): HttpError => badRequestOf(parse, body);

const RULE_ID = '6f1d2c3b-8a4e-4c1f-9b2d-1e7a3c5f9d08';
const RULE_URL = `https://kibana.example.cn/s/dba/app/management/insightsAndAlerting/triggersActions/rule/${RULE_ID}`;

describe('kibana source: rule connector body', () => {
  it('normalizes the .es-query fixture', () => {
    const parsed = parse(fixture('kibana-rule-es-query.json'));
    expect(kibanaSource.name).toBe('kibana');
    expect(parsed).toMatchObject({ source: 'kibana', externalURL: 'https://kibana.example.cn', truncatedAlerts: 0, groupLabels: {} });
    expect(parsed.alerts).toHaveLength(1);
    const [alert] = parsed.alerts;
    expect(alert).toMatchObject({
      source: 'kibana',
      status: 'firing',
      name: 'MySQL 错误日志激增',
      severity: 'critical',
      summary: "rule 'MySQL 错误日志激增' matched query",
      startsAt: '2025-03-18T02:15:03.219Z',
      fingerprint: identityFingerprint({ rule: RULE_ID, alert: 'query matched' }),
      value: '57',
      links: { source: RULE_URL, dashboard: undefined },
    });
    // The message, then the first documents of context_json.hits as `host message` lines.
    expect(alert.description.split('\n').slice(0, 4)).toEqual([
      'Document count is 57 in the last 5m in logs-mysql.error-* index. Alert when greater than 20.',
      '',
      '命中示例 / sample hits:',
      "- db-master-01 [Warning] [MY-013360] [Server] Plugin sha256_password reported: 'sha256_password' is deprecated and will be removed in a future release.",
    ]);
    expect(alert.endsAt).toBeUndefined();
    expect(alert.labels).toEqual({ severity: 'critical', team: 'dba', tags: 'mysql', rule_type: '.es-query', space_id: 'dba' });
    expect(alert.annotations).toMatchObject({
      conditions: 'Number of matching documents is greater than 20',
      action_group: 'query matched',
      action_group_name: 'Query matched',
      alert_uuid: 'b8e3f0a2-4d6c-4f1e-a7b9-2c5d8e1f3a64',
    });
    expect(alert.annotations.reason).toBeUndefined();
    expect(parsed.commonLabels).toEqual(alert.labels);
  });

  it('resolves the recovered fixture under the same identity, ending at the action date', () => {
    const firing = parse(fixture('kibana-rule-es-query.json')).alerts[0];
    const [alert] = parse(fixture('kibana-rule-recovered.json')).alerts;
    expect(alert).toMatchObject({
      status: 'resolved',
      summary: "rule 'MySQL 错误日志激增' recovered",
      value: '4',
      endsAt: '2025-03-18T02:35:03.688Z',
      fingerprint: firing.fingerprint,
    });
    expect(alert.annotations.conditions).toBe('Number of matching documents is NOT greater than 20');
  });

  it('normalizes the grouped .index-threshold fixture', () => {
    const [alert] = parse(fixture('kibana-rule-index-threshold.json')).alerts;
    expect(alert).toMatchObject({
      status: 'firing',
      name: '数据节点磁盘使用率过高',
      severity: 'warning',
      summary: 'alert 数据节点磁盘使用率过高 group es-data-02 met threshold',
      value: '0.934',
      startsAt: '2025-03-18T03:02:11.904Z',
      fingerprint: identityFingerprint({ rule: '0c7e5a91-3f2b-4d8e-b6a1-9e4f2d7c8b35', alert: 'es-data-02' }),
      links: { source: 'https://kibana.example.cn/s/sre/app/management/insightsAndAlerting/triggersActions/rule/0c7e5a91-3f2b-4d8e-b6a1-9e4f2d7c8b35' },
    });
    expect(alert.description).toMatch(/^alert '数据节点磁盘使用率过高' is active for group 'es-data-02':\n\n- Value: 0.934/);
    expect(alert.labels).toEqual({ severity: 'warning', team: 'sre', tags: 'elasticsearch', rule_type: '.index-threshold', space_id: 'sre', group: 'es-data-02' });
  });

  it('treats "" as absent everywhere (7.x recovery with an empty context)', () => {
    const payload = fixture('kibana-rule-recovered.json');
    for (const key of Object.keys(payload.context)) payload.context[key] = '';
    Object.assign(payload, { context_json: '', kibana_base_url: '' });
    Object.assign(payload.rule, { url: '', tags: '', type: '', space_id: '' });
    Object.assign(payload.alert, { uuid: '', action_group_name: '', flapping: '' });
    const parsed = parse(payload);
    const [alert] = parsed.alerts;
    expect(parsed.externalURL).toBeUndefined();
    expect(alert).toMatchObject({ status: 'resolved', name: 'MySQL 错误日志激增', summary: 'MySQL 错误日志激增', description: '', severity: '', endsAt: '2025-03-18T02:35:03.688Z' });
    expect(alert.startsAt).toBe('2025-03-18T02:35:03.688Z');
    expect(alert.value).toBeUndefined();
    expect(alert.labels).toEqual({});
    expect(alert.links).toEqual({ source: undefined, dashboard: undefined });
    expect(alert.annotations).toEqual({ summary: 'MySQL 错误日志激增', action_group: 'recovered' });
  });

  it('falls back to receive time when no date is usable, and to rule.id for the name', () => {
    const payload = fixture('kibana-rule-es-query.json');
    Object.assign(payload, { date: '', context: null, context_json: null });
    payload.rule.name = '';
    const [alert] = parse(payload).alerts;
    expect(alert.startsAt).toBe('2025-03-18T02:40:00.000Z');
    expect(alert.name).toBe(RULE_ID);
  });

  it('fills missing fields from context_json and ignores invalid JSON there', () => {
    const payload = fixture('kibana-rule-es-query.json');
    Object.assign(payload.context, { value: '', link: '', title: '' });
    payload.rule.url = '';
    const [alert] = parse(payload).alerts;
    expect(alert.value).toBe('57');
    expect(alert.summary).toBe("rule 'MySQL 错误日志激增' matched query");
    expect(alert.links.source).toBe(RULE_URL);
    for (const broken of ['{"value":', 'not json', '[1,2]', '"text"', '42']) {
      payload.context_json = broken;
      const [again] = parse(payload).alerts;
      expect(again.value).toBeUndefined();
      expect(again.summary).toBe('MySQL 错误日志激增');
    }
  });

  it('maps view_in_app_url to the dashboard link and accepts dates without seconds', () => {
    const payload = fixture('kibana-rule-es-query.json');
    Object.assign(payload.context, {
      view_in_app_url: 'https://kibana.example.cn/app/observability/alerts/x',
      alert_details_url: 'https://kibana.example.cn/app/observability/alerts/x/details',
      reason: 'CPU usage is 93% on host web-01',
      message: '',
      date: '2025-03-18T02:15Z',
    });
    payload.context_json = '';
    const [alert] = parse(payload).alerts;
    expect(alert.links.dashboard).toBe('https://kibana.example.cn/app/observability/alerts/x');
    expect(alert.annotations.alert_details_url).toBe('https://kibana.example.cn/app/observability/alerts/x/details');
    expect(alert.description).toBe('CPU usage is 93% on host web-01');
    expect(alert.startsAt).toBe('2025-03-18T02:15:00.000Z');
  });

  it('splits tags into key:value labels and a tags label', () => {
    const payload = fixture('kibana-rule-es-query.json');
    payload.rule.tags = ' mysql , severity:Warning,team:dba,,prod, url:http://x:1/y ,dangling:';
    const [alert] = parse(payload).alerts;
    expect(alert.severity).toBe('warning');
    expect(alert.labels).toEqual({
      severity: 'Warning',
      team: 'dba',
      url: 'http://x:1/y',
      tags: 'mysql,prod,dangling:',
      rule_type: '.es-query',
      space_id: 'dba',
    });
  });

  it('is identified without "source" by rule.id + alert.action_group, and reads unquoted numbers', () => {
    const payload = fixture('kibana-rule-index-threshold.json');
    delete payload.source;
    payload.context.value = 0.934;
    payload.alert.flapping = false;
    payload.context_json = JSON.parse(payload.context_json);
    const [alert] = parse(payload).alerts;
    expect(alert.value).toBe('0.934');
    expect(alert.annotations.flapping).toBe('false');
  });

  it('keeps rule identity per alert.id', () => {
    const a = fixture('kibana-rule-index-threshold.json');
    const b = fixture('kibana-rule-index-threshold.json');
    b.alert.id = 'es-data-03';
    expect(parse(a).alerts[0].fingerprint).not.toBe(parse(b).alerts[0].fingerprint);
  });
});

describe('kibana source: Elasticsearch Watcher', () => {
  const fingerprint = identityFingerprint({ watch_id: 'mysql_error_log_spike', dedup_key: '' });

  it('normalizes the recommended body fixture as firing', () => {
    const parsed = parse(fixture('kibana-watcher-recommended.json'));
    expect(parsed).toMatchObject({ source: 'kibana', truncatedAlerts: 0, groupLabels: {} });
    expect(parsed.externalURL).toBeUndefined();
    expect(parsed.alerts).toEqual([
      {
        source: 'kibana',
        status: 'firing',
        name: 'MySQL 错误日志激增',
        severity: 'critical',
        summary: 'MySQL 错误/警告日志 5 分钟内超过 20 条',
        description: '',
        labels: { name: 'MySQL 错误日志激增', severity: 'critical', team: 'dba', threshold: '20', watch_id: 'mysql_error_log_spike' },
        annotations: { summary: 'MySQL 错误/警告日志 5 分钟内超过 20 条', runbook_url: 'https://wiki.example.cn/runbook/mysql-error-log-spike' },
        startsAt: '2025-03-18T02:15:00.004Z',
        endsAt: undefined,
        fingerprint,
        value: '57',
        links: { runbook: 'https://wiki.example.cn/runbook/mysql-error-log-spike' },
      },
    ]);
  });

  it('normalizes the raw {{#toJson}}ctx{{/toJson}} fixture to the same alert', () => {
    const fromCtx = parse(fixture('kibana-watcher-ctx.json')).alerts[0];
    const fromBody = parse(fixture('kibana-watcher-recommended.json')).alerts[0];
    expect(fromCtx).toEqual(fromBody);
  });

  it('reads "status":"resolved" (two-action pattern), even for an alert that was never open', () => {
    const payload = fixture('kibana-watcher-recommended.json');
    payload.status = 'resolved';
    payload.payload.hits.total = 3;
    const [alert] = parse(payload).alerts;
    expect(alert).toMatchObject({ status: 'resolved', fingerprint, value: '3', endsAt: '2025-03-18T02:15:00.011Z' });
  });

  it('defaults to firing, uses watch_id when metadata is null, and accepts minute-only dates', () => {
    const payload = fixture('kibana-watcher-recommended.json');
    delete payload.status;
    Object.assign(payload, { metadata: null, triggered_time: '', execution_time: '' });
    const [alert] = parse(payload).alerts;
    expect(alert).toMatchObject({ status: 'firing', name: 'mysql_error_log_spike', severity: '', summary: '', startsAt: '2025-03-18T02:15:00.000Z' });
    expect(alert.labels).toEqual({ watch_id: 'mysql_error_log_spike' });
    expect(alert.links).toEqual({ runbook: undefined });
  });

  it.each<[unknown, string | undefined]>([
    [{ value: 57, relation: 'eq' }, '57'],
    [{ value: 10000, relation: 'gte' }, '≥10000'],
    ['57', undefined],
    [null, undefined],
  ])('reads hits.total %j as value %s', (total, value) => {
    const payload = fixture('kibana-watcher-recommended.json');
    payload.payload.hits.total = total;
    expect(parse(payload).alerts[0].value).toBe(value);
  });

  it('has no value when the payload is not a search result', () => {
    const payload = fixture('kibana-watcher-recommended.json');
    payload.payload = { status: 'green' };
    expect(parse(payload).alerts[0].value).toBeUndefined();
    payload.payload = null;
    expect(parse(payload).alerts[0].value).toBeUndefined();
  });

  it('adds metadata.dedup_key to the identity and ignores the per-run execution id', () => {
    const a = fixture('kibana-watcher-recommended.json');
    const b = fixture('kibana-watcher-recommended.json');
    b.execution_id = 'another-run';
    expect(parse(a).alerts[0].fingerprint).toBe(parse(b).alerts[0].fingerprint);
    b.metadata.dedup_key = 'db-master-01';
    expect(parse(b).alerts[0].fingerprint).toBe(identityFingerprint({ watch_id: 'mysql_error_log_spike', dedup_key: 'db-master-01' }));
    expect(parse(b).alerts[0].fingerprint).not.toBe(fingerprint);
  });

  it('keeps scalar metadata as labels and free text as annotations, and carries kibana_base_url', () => {
    const payload = fixture('kibana-watcher-recommended.json');
    payload.metadata = { name: 'x', description: '详细说明', nested: { a: 1 }, list: [1], enabled: true, __proto__x: 'y' };
    payload.kibana_base_url = 'https://kibana.example.cn';
    const parsed = parse(payload);
    const [alert] = parsed.alerts;
    expect(alert.labels).toEqual({ name: 'x', enabled: 'true', __proto__x: 'y', watch_id: 'mysql_error_log_spike' });
    expect(alert.annotations).toEqual({ description: '详细说明' });
    expect(alert.description).toBe('详细说明');
    expect(parsed.externalURL).toBe('https://kibana.example.cn');
  });

  it('identifies a Watcher body without "source" by watch_id + execution_id, and a lenient ctx by watch_id', () => {
    const body = fixture('kibana-watcher-recommended.json');
    delete body.source;
    expect(parse(body).alerts[0].fingerprint).toBe(fingerprint);
    const ctx = { watch_id: 'disk_watch', trigger: { triggered_time: '2025-03-18T02:15Z' } };
    expect(parse(ctx).alerts[0]).toMatchObject({ name: 'disk_watch', status: 'firing', startsAt: '2025-03-18T02:15:00.000Z' });
  });
});

describe('kibana source: malformed payloads', () => {
  const rule = () => fixture('kibana-rule-es-query.json');
  const watcher = () => fixture('kibana-watcher-recommended.json');
  const ctx = () => fixture('kibana-watcher-ctx.json');
  const with_ = (base: any, mutate: (body: any) => void) => {
    mutate(base);
    return base;
  };

  it.each<[string, unknown, string | undefined]>([
    ['a JSON string', '{"source":"kibana"}', undefined],
    ['a JSON array', [rule()], undefined],
    ['null', null, undefined],
    ['a boolean', true, undefined],
    ['an empty object', {}, 'source'],
    ['an Alertmanager body', fixture('alertmanager-firing.json'), 'source'],
    ['a Grafana unified body', fixture('grafana-unified-firing.json'), 'source'],
    ['a Grafana legacy body', fixture('grafana-legacy-alerting.json'), 'source'],
    ['a bare ctx.payload', ctx().payload, 'watch_id'],
    ['an unknown source', with_(rule(), (b) => (b.source = 'grafana')), 'source'],
    ['source as a number', with_(rule(), (b) => (b.source = 1)), 'source'],
    ['rule missing', with_(rule(), (b) => delete b.rule), 'rule'],
    ['rule as an array', with_(rule(), (b) => (b.rule = [b.rule])), 'rule'],
    ['rule as a string', with_(rule(), (b) => (b.rule = 'x')), 'rule'],
    ['rule.id empty (pre-7.13 variables)', with_(rule(), (b) => (b.rule.id = '')), 'rule.id'],
    ['rule.id missing', with_(rule(), (b) => delete b.rule.id), 'rule.id'],
    ['rule.name as an object', with_(rule(), (b) => (b.rule.name = { a: 1 })), 'rule.name'],
    ['rule.tags as a number', with_(rule(), (b) => (b.rule.tags = 5)), 'rule.tags'],
    ['alert missing', with_(rule(), (b) => delete b.alert), 'alert'],
    ['alert.action_group empty', with_(rule(), (b) => (b.alert.action_group = '')), 'alert.action_group'],
    ['alert.action_group as an array', with_(rule(), (b) => (b.alert.action_group = ['recovered'])), 'alert.action_group'],
    ['context as an array', with_(rule(), (b) => (b.context = [])), 'context'],
    ['context.title as an object', with_(rule(), (b) => (b.context.title = {})), 'context.title'],
    ['context_json as a number', with_(rule(), (b) => (b.context_json = 5)), 'context_json'],
    ['a rule-like body without source', { rule: { id: 'x' } }, 'alert'],
    ['watcher without watch_id', with_(watcher(), (b) => delete b.watch_id), 'watch_id'],
    ['watcher watch_id empty', with_(watcher(), (b) => (b.watch_id = ' ')), 'watch_id'],
    ['watcher watch_id as a number', with_(watcher(), (b) => (b.watch_id = 5)), 'watch_id'],
    ['watcher status unknown', with_(watcher(), (b) => (b.status = 'ok')), 'status'],
    ['watcher metadata as a string', with_(watcher(), (b) => (b.metadata = 'x')), 'metadata'],
    ['watcher metadata as an array', with_(watcher(), (b) => (b.metadata = [])), 'metadata'],
    ['watcher payload as an array', with_(watcher(), (b) => (b.payload = [1])), 'payload'],
    ['watcher execution_time as an object', with_(watcher(), (b) => (b.execution_time = {})), 'execution_time'],
    ['ctx trigger as a string', with_(ctx(), (b) => (b.trigger = 'x')), 'trigger'],
    ['ctx metadata as an array', with_(ctx(), (b) => (b.metadata = [])), 'metadata'],
    ['ctx watch_id null', with_(ctx(), (b) => (b.watch_id = null)), 'watch_id'],
  ])('rejects %s with a 400 and path', (_name, body, path) => {
    expect(failure(body).path).toBe(path);
  });

  it('explains the expected bodies when nothing matches', () => {
    const error = failure(fixture('alertmanager-firing.json'));
    expect(error.message).toContain('"source":"kibana"');
    expect(error.message).toContain('"source":"elasticsearch-watcher"');
    expect(error.message).toContain('{{#toJson}}ctx{{/toJson}}');
  });

  it('explains why a bare Watcher payload cannot be identified', () => {
    expect(failure(ctx().payload).message).toContain('{{#toJson}}ctx.payload{{/toJson}}');
  });

  it('never throws anything but a 400 for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (body) => {
        try {
          parse(body);
        } catch (err) {
          return err instanceof HttpError && err.status === 400;
        }
        return true;
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    'kibana-rule-es-query.json',
    'kibana-rule-recovered.json',
    'kibana-rule-index-threshold.json',
    'kibana-watcher-recommended.json',
    'kibana-watcher-ctx.json',
  ])('never throws anything but a 400 when any field of %s is replaced', (name) => {
    assertOnlyBadRequests(() => fixture(name), parse);
  });
});
