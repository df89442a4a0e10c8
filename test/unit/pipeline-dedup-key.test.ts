import { dedupKey } from '../../src/pipeline/dedup-key';
import { planNotifications } from '../../src/pipeline/plan';
import { alertmanagerSource } from '../../src/sources/alertmanager';
import { findSource } from '../../src/sources/registry';
import type { RouteConfig } from '../../src/config/schema';
import type { AlertNotification, TextNotification } from '../../src/model/notification';
import { FIXED_NOW, loadFixture } from '../support/fixtures';

const ROUTE: RouteConfig = { receiver: 'ops', matchers: [], continue: false, routes: [] };

/** notificationFrom parses an Alertmanager body and plans it like the ingest path does. */
function notificationFrom(body: any): AlertNotification {
  return planNotifications(alertmanagerSource.parse(body, new Date(FIXED_NOW)), ROUTE).notifications[0];
}

/** keyOf parses a body of any source (received at `now`) and returns its dedup key. */
function keyOf(source: string, body: unknown, now = FIXED_NOW): string {
  return dedupKey(planNotifications(findSource(source)!.parse(body, new Date(now)), ROUTE).notifications[0]);
}

describe('dedupKey', () => {
  const firing = loadFixture('real-alertmanager-0.25-firing.json');

  it('is a sha256 hex digest', () => {
    expect(dedupKey(notificationFrom(firing))).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is the same for both members of an HA pair (different externalURL and payload receiver)', () => {
    const peer = { ...structuredClone(firing), externalURL: 'http://alertmanager-1:9093', receiver: 'wecom-peer' };
    peer.alerts.forEach((alert: { generatorURL: string }) => (alert.generatorURL = 'http://prometheus-1:9090/graph'));
    expect(notificationFrom(peer).externalURL).toBe('http://alertmanager-1:9093');
    expect(dedupKey(notificationFrom(peer))).toBe(dedupKey(notificationFrom(firing)));
  });

  it('differs when an alert changes status (firing → resolved is a new notification)', () => {
    const resolved = structuredClone(firing);
    resolved.alerts[1].status = 'resolved';
    resolved.alerts[1].endsAt = '2026-11-22T12:13:28Z';
    expect(dedupKey(notificationFrom(resolved))).not.toBe(dedupKey(notificationFrom(firing)));
  });

  it('differs when the set of alerts changes', () => {
    const fewer = { ...structuredClone(firing), alerts: firing.alerts.slice(0, 1) };
    expect(dedupKey(notificationFrom(fewer))).not.toBe(dedupKey(notificationFrom(firing)));
  });

  it.each<[string, Partial<AlertNotification>]>([
    ['receiver', { receiver: 'dba' }],
    ['template', { template: 'dba' }],
    ['group key', { groupKey: '{}:{alertname="Other"}' }],
    ['source', { source: 'grafana' }],
  ])('differs by %s', (_name, patch) => {
    const base = notificationFrom(firing);
    expect(dedupKey({ ...base, ...patch })).not.toBe(dedupKey(base));
  });

  it('is the same for HA twins whose timeout-resolved endsAt differ by milliseconds', () => {
    // A client that sends no endsAt: each Alertmanager computes receipt time + resolve_timeout itself.
    const resolved = loadFixture('real-alertmanager-0.25-resolved.json');
    const twin = structuredClone(resolved);
    resolved.alerts[0].endsAt = '2026-11-22T12:18:28.104215Z';
    twin.alerts[0].endsAt = '2026-11-22T12:18:28.391877Z';
    twin.externalURL = 'http://alertmanager-1:9093';
    expect(dedupKey(notificationFrom(twin))).toBe(dedupKey(notificationFrom(resolved)));
  });

  it('does not depend on the order of the alerts in the payload', () => {
    const reversed = { ...structuredClone(firing), alerts: [...firing.alerts].reverse() };
    expect(dedupKey(notificationFrom(reversed))).toBe(dedupKey(notificationFrom(firing)));
  });

  it('compares startsAt as an instant, not as text', () => {
    const shanghai = structuredClone(firing);
    shanghai.alerts.forEach((alert: { startsAt: string }) => (alert.startsAt = '2026-11-22T20:13:22.000+08:00'));
    expect(dedupKey(notificationFrom(shanghai))).toBe(dedupKey(notificationFrom(firing)));
  });

  it('separates the episodes of a flapping alert: firing → resolved → firing again are three notifications', () => {
    const first = { ...structuredClone(firing), alerts: firing.alerts.slice(1) };
    const resolved = loadFixture('real-alertmanager-0.25-resolved.json');
    const again = structuredClone(first);
    again.alerts[0].startsAt = '2026-11-22T12:13:34Z';
    const keys = [first, resolved, again].map((body) => dedupKey(notificationFrom(body)));
    expect(new Set(keys).size).toBe(3);
    // …while a repeat of the first episode (repeat_interval, or the HA twin) is the same notification.
    expect(dedupKey(notificationFrom(structuredClone(first)))).toBe(keys[0]);
  });

  it('differs when truncatedAlerts differs (the same listed alerts, more left out)', () => {
    const more = { ...structuredClone(firing), truncatedAlerts: 3 };
    expect(dedupKey(notificationFrom(more))).not.toBe(dedupKey(notificationFrom(firing)));
  });

  it('Grafana unified: a re-fire with a new startsAt is a new notification, a repeat is not', () => {
    const body = loadFixture('grafana-unified-firing.json');
    const refire = structuredClone(body);
    refire.alerts.forEach((alert: { startsAt: string }) => (alert.startsAt = '2030-01-01T00:00:00+08:00'));
    expect(keyOf('grafana', structuredClone(body))).toBe(keyOf('grafana', body));
    expect(keyOf('grafana', refire)).not.toBe(keyOf('grafana', body));
  });

  it('Kibana rules: a retried action (same rendered body) collapses, the next rule execution does not', () => {
    const body = loadFixture('kibana-rule-es-query.json');
    const next = structuredClone(body);
    next.date = '2030-01-01T00:05:00.000Z';
    if (next.context) next.context.date = '2030-01-01T00:05:00.000Z';
    expect(keyOf('kibana', structuredClone(body), FIXED_NOW + 5_000)).toBe(keyOf('kibana', body));
    expect(keyOf('kibana', next)).not.toBe(keyOf('kibana', body));
  });

  it('Watcher: a re-sent execution collapses, the next scheduled run (new triggered_time) does not', () => {
    const body = loadFixture('kibana-watcher-recommended.json');
    const next = { ...structuredClone(body), execution_id: `${body.watch_id}_next`, triggered_time: '2025-03-18T02:20:00.003Z', execution_time: '2025-03-18T02:20:00.010Z' };
    expect(keyOf('kibana', structuredClone(body), FIXED_NOW + 5_000)).toBe(keyOf('kibana', body));
    expect(keyOf('kibana', next)).not.toBe(keyOf('kibana', body));
  });

  it('separates generic messages by content and creation time', () => {
    const message: TextNotification = {
      kind: 'message',
      source: 'api',
      receiver: 'ops',
      template: 'message',
      title: '备份完成',
      content: '昨日全量备份成功',
      labels: {},
      createdAt: '2025-03-18T04:00:00.000Z',
    };
    expect(dedupKey({ ...message })).toBe(dedupKey(message));
    expect(dedupKey({ ...message, createdAt: '2025-03-18T04:00:01.000Z' })).not.toBe(dedupKey(message));
    expect(dedupKey({ ...message, content: '昨日全量备份失败' })).not.toBe(dedupKey(message));
  });
});
