import { grafanaSource } from '../../src/sources/grafana';
import { DESCRIPTION_SERIES, VALUE_SERIES } from '../../src/sources/grafana/legacy';
import { loadFixture } from '../support/fixtures';

/**
 * Grafana No Data / Error states, state-reason resolutions, "Max alerts" truncation and legacy alerts
 * with hundreds of series (issue 14 item 2). Fixtures are composed from grafana/grafana
 * `pkg/services/ngalert/state/compat.go` + `state/state.go` and grafana/alerting
 * `receivers/webhook/v1/webhook.go` (see test/fixtures/README.md).
 */
const NOW = new Date('2025-03-18T02:40:00.000Z');
const parse = (name: string) => grafanaSource.parse(loadFixture(name), NOW);

describe('grafana source: DatasourceNoData / DatasourceError', () => {
  it('names the affected rule of a DatasourceNoData alert and marks it no-data, without placeholder values', () => {
    const [alert] = parse('grafana-unified-nodata.json').alerts;
    expect(alert).toMatchObject({ status: 'firing', name: 'MySQL连接数过高', problem: 'nodata' });
    expect(alert.labels).toMatchObject({ alertname: 'DatasourceNoData', rulename: 'MySQL连接数过高', datasource_uid: 'P1809F7CD0C75ACF3' });
    // Grafana's -1 sentinels (state.go SetNextValues) are no measurement.
    expect(alert.value).toBeUndefined();
    expect(alert.errorText).toBeUndefined();
  });

  it('names the affected rule of a DatasourceError alert and carries the Error annotation text', () => {
    const body = loadFixture('grafana-unified-error.json');
    const [alert] = grafanaSource.parse(body, NOW).alerts;
    expect(alert).toMatchObject({ status: 'firing', name: 'MySQL连接数过高', problem: 'error' });
    expect(alert.errorText).toBe(body.alerts[0].annotations.Error);
    expect(alert.errorText).toContain('connection refused');
  });

  it('keeps the problem on the resolution of a special alert (the data came back)', () => {
    const body = loadFixture('grafana-unified-nodata.json');
    body.alerts[0].status = 'resolved';
    body.alerts[0].endsAt = '2025-03-18T10:30:40+08:00';
    const [alert] = grafanaSource.parse(body, NOW).alerts;
    expect(alert).toMatchObject({ status: 'resolved', name: 'MySQL连接数过高', problem: 'nodata' });
  });

  it('falls back to the alertname when a special alert has no rulename', () => {
    const body = loadFixture('grafana-unified-error.json');
    delete body.alerts[0].labels.rulename;
    expect(grafanaSource.parse(body, NOW).alerts[0]).toMatchObject({ name: 'DatasourceError', problem: 'error' });
  });
});

describe('grafana source: firing alerts with a state reason', () => {
  it('marks "No data → Alerting" as no-data and "Error → Alerting" as error with the error text', () => {
    const [disk, api] = parse('grafana-unified-state-reason-firing.json').alerts;
    expect(disk).toMatchObject({ name: '磁盘使用率过高', problem: 'nodata' });
    expect(disk.value).toBeUndefined();
    expect(api).toMatchObject({ name: '接口错误率过高', problem: 'error' });
    expect(api.errorText).toMatch(/context deadline exceeded/);
  });

  it('reads Keep Last State reasons (models.ConcatReasons) too', () => {
    const body = loadFixture('grafana-unified-state-reason-firing.json');
    body.alerts[0].annotations.grafana_state_reason = 'NoData, KeepLast';
    body.alerts[1].annotations.grafana_state_reason = 'Error, KeepLast';
    const [disk, api] = grafanaSource.parse(body, NOW).alerts;
    expect([disk.problem, api.problem]).toEqual(['nodata', 'error']);
  });

  it('leaves an ordinary firing alert alone', () => {
    for (const alert of parse('grafana-unified-firing.json').alerts) {
      expect(alert.problem).toBeUndefined();
      expect(alert.errorText).toBeUndefined();
      expect(alert.value).toMatch(/^B=\d+, C=1$/);
    }
  });
});

describe('grafana source: resolutions with a state reason', () => {
  it('keeps every Grafana state reason as resolvedReason and none on the real recovery', () => {
    const alerts = parse('grafana-unified-state-reason-resolved.json').alerts;
    expect(alerts.map((alert) => [alert.labels.instance, alert.status, alert.resolvedReason ?? null])).toEqual([
      ['web-01:9100', 'resolved', null],
      ['web-02:9100', 'resolved', 'MissingSeries'],
      ['web-03:9100', 'resolved', 'Paused'],
      ['web-04:9100', 'resolved', 'Updated'],
      ['web-05:9100', 'resolved', 'RuleDeleted'],
      ['web-06:9100', 'resolved', 'NoData'],
    ]);
    // A resolution's reason is not an evaluation problem of a firing alert.
    expect(alerts.every((alert) => alert.problem === undefined)).toBe(true);
  });
});

describe('grafana source: group data', () => {
  it('passes "Max alerts" truncation through as truncatedAlerts', () => {
    const parsed = parse('grafana-unified-truncated.json');
    expect(parsed.alerts).toHaveLength(3);
    expect(parsed.truncatedAlerts).toBe(17);
  });

  it("keeps Grafana's title and message only when a user wrote them (the defaults repeat label values)", () => {
    const body = loadFixture('grafana-unified-error.json');
    // The fixture carries Grafana's defaults: `[FIRING:1] <label values>` and `**Firing** … Labels: …`.
    expect(body.title).toMatch(/^\[FIRING:1\] DatasourceError 数据库/);
    const defaults = grafanaSource.parse(body, NOW);
    expect(defaults.senderTitle).toBeUndefined();
    expect(defaults.senderMessage).toBeUndefined();
    body.title = '[FIRING:1] 订单库查询失败，请先看数据源 ';
    body.message = ' 请 DBA 值班先检查 Prometheus 数据源\n再看慢查询 ';
    const custom = grafanaSource.parse(body, NOW);
    expect(custom.senderTitle).toBe('订单库查询失败，请先看数据源');
    expect(custom.senderMessage).toBe('请 DBA 值班先检查 Prometheus 数据源\n再看慢查询');
    body.title = '   ';
    body.message = '';
    const blank = grafanaSource.parse(body, NOW);
    expect(blank.senderTitle).toBeUndefined();
    expect(blank.senderMessage).toBeUndefined();
  });
});

describe('grafana source: legacy alerting with hundreds of evalMatches', () => {
  it('bounds the series in value and description and counts the rest', () => {
    const body = loadFixture('grafana-legacy-many-series.json');
    expect(body.evalMatches).toHaveLength(300);
    const [alert] = grafanaSource.parse(body, NOW).alerts;
    const shown = alert.value!.split(', ');
    expect(shown).toHaveLength(VALUE_SERIES);
    expect(alert.value).toMatch(/^node-001\.prod-sh:\/data=[\d.]+, /);
    expect(alert.value).toContain(`另有 ${300 - VALUE_SERIES} 个 (and ${300 - VALUE_SERIES} more)`);
    expect(alert.value!.length).toBeLessThan(300);
    const lines = alert.description.split('\n');
    expect(lines).toHaveLength(DESCRIPTION_SERIES + 1);
    expect(lines[DESCRIPTION_SERIES]).toContain(`另有 ${300 - DESCRIPTION_SERIES} 个`);
    expect(alert.links.source).toBe(body.ruleUrl);
    expect(alert.startsAt).toBe(NOW.toISOString());
  });

  it('lists a few series in full, without a count', () => {
    const [alert] = parse('grafana-legacy-alerting.json').alerts;
    expect(alert.value).toBe('db-master-01:9104=512, db-slave-02:9104=468');
  });

  it('marks a legacy no_data alert as no-data', () => {
    const body = { ...loadFixture('grafana-legacy-alerting.json'), state: 'no_data', evalMatches: [] };
    expect(grafanaSource.parse(body, NOW).alerts[0]).toMatchObject({ status: 'firing', problem: 'nodata' });
  });
});
