import { planNotifications, routingLabels } from '../../src/pipeline/plan';
import { parseMatchers } from '../../src/routing/matchers';
import type { RouteConfig } from '../../src/config/schema';
import type { Alert, AlertStatus, ParsedPayload } from '../../src/model/alert';

function alert(name: string, status: AlertStatus, labels: Record<string, string> = {}): Alert {
  return {
    source: 'alertmanager',
    status,
    name,
    severity: labels.severity ?? '',
    summary: '',
    description: '',
    labels: { alertname: name, ...labels },
    annotations: {},
    startsAt: '2025-03-18T02:00:00.000Z',
    endsAt: status === 'resolved' ? '2025-03-18T03:00:00.000Z' : undefined,
    fingerprint: `fp-${name}`,
    links: {},
  };
}

function payload(alerts: Alert[], source: ParsedPayload['source'] = 'alertmanager'): ParsedPayload {
  return {
    source,
    alerts: alerts.map((a) => ({ ...a, source })),
    groupKey: '{}:{alertname="x"}',
    groupLabels: { alertname: 'x' },
    commonLabels: { env: 'prod' },
    commonAnnotations: { summary: 's' },
    externalURL: 'http://am.example.cn',
    truncatedAlerts: 2,
  };
}

function route(receiver: string | undefined, routes: RouteConfig[] = [], extra: Partial<RouteConfig> & { on?: string } = {}): RouteConfig {
  const { on, ...rest } = extra;
  return { receiver, matchers: on ? parseMatchers(on) : [], continue: false, routes, ...rest };
}

describe('routingLabels', () => {
  it('adds the pseudo-labels source and status, overriding labels of the same name', () => {
    const a = { ...alert('A', 'resolved', { team: 'dba', status: 'fake', source: 'fake' }), source: 'grafana' as const };
    expect(routingLabels(a)).toEqual({ alertname: 'A', team: 'dba', status: 'resolved', source: 'grafana' });
  });
});

describe('planNotifications', () => {
  const tree = route('default', [
    route('dba', [], { on: 'team="dba"', continue: true }),
    route(undefined, [], { on: 'team="dba"', receiver: 'dba', template: 'dba' }),
    route('quiet', [], { on: 'team="web"', send_resolved: false }),
    route('grafana', [], { on: 'source="grafana"' }),
  ]);

  it('groups alerts per receiver and template, in payload order, carrying the group data', () => {
    const parsed = payload([alert('A', 'firing', { team: 'dba' }), alert('B', 'firing'), alert('C', 'firing', { team: 'dba' }), alert('D', 'resolved')]);
    const { notifications } = planNotifications(parsed, tree);
    expect(notifications.map((n) => [n.receiver, n.template, n.alerts.map((a) => a.name).join('')])).toEqual([
      ['dba', 'alertmanager', 'AC'],
      ['dba', 'dba', 'AC'],
      ['default', 'alertmanager', 'BD'],
    ]);
    expect(notifications[0]).toMatchObject({
      kind: 'alerts',
      source: 'alertmanager',
      groupKey: '{}:{alertname="x"}',
      groupLabels: { alertname: 'x' },
      commonLabels: { env: 'prod' },
      commonAnnotations: { summary: 's' },
      externalURL: 'http://am.example.cn',
      truncatedAlerts: 2,
    });
  });

  it('drops resolved alerts for a receiver whose route has send_resolved: false and records it', () => {
    const parsed = payload([alert('A', 'firing', { team: 'web' }), alert('B', 'resolved', { team: 'web' })]);
    const { notifications, routing } = planNotifications(parsed, tree);
    expect(notifications.map((n) => [n.receiver, n.alerts.map((a) => a.name)])).toEqual([['quiet', ['A']]]);
    expect(routing.map((r) => [r.alert.name, r.targets.map((t) => t.receiver), r.suppressed])).toEqual([
      ['A', ['quiet'], []],
      ['B', ['quiet'], ['quiet']],
    ]);
  });

  it('produces no notification when every alert is suppressed', () => {
    expect(planNotifications(payload([alert('B', 'resolved', { team: 'web' })]), tree).notifications).toEqual([]);
  });

  it('routes on the pseudo-label source', () => {
    const { notifications } = planNotifications(payload([alert('G', 'firing')], 'grafana'), tree);
    expect(notifications.map((n) => [n.receiver, n.template, n.source])).toEqual([['grafana', 'grafana', 'grafana']]);
  });

  it('uses the source name as the template when the route names none', () => {
    expect(planNotifications(payload([alert('K', 'firing')], 'kibana'), tree).notifications[0].template).toBe('kibana');
  });

  it('bypasses routing for a pinned receiver, resolved alerts included', () => {
    const parsed = payload([alert('A', 'firing', { team: 'web' }), alert('B', 'resolved', { team: 'web' })]);
    const { notifications, routing } = planNotifications(parsed, tree, 'team-x');
    expect(notifications.map((n) => [n.receiver, n.template, n.alerts.map((a) => a.name).join('')])).toEqual([['team-x', 'alertmanager', 'AB']]);
    expect(routing[0].targets).toEqual([{ receiver: 'team-x', sendResolved: true, routePath: 'pinned:team-x' }]);
  });

  it('returns empty lists for a payload without alerts', () => {
    expect(planNotifications(payload([]), tree)).toEqual({ notifications: [], routing: [] });
  });
});
