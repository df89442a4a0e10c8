import { dedupKey } from '../../src/pipeline/dedup-key';
import { planNotifications } from '../../src/pipeline/plan';
import { alertmanagerSource } from '../../src/sources/alertmanager';
import type { RouteConfig } from '../../src/config/schema';
import type { AlertNotification, TextNotification } from '../../src/model/notification';
import { FIXED_NOW, loadFixture } from '../support/fixtures';

const ROUTE: RouteConfig = { receiver: 'ops', matchers: [], continue: false, routes: [] };

/** notificationFrom parses an Alertmanager body and plans it like the ingest path does. */
function notificationFrom(body: any): AlertNotification {
  return planNotifications(alertmanagerSource.parse(body, new Date(FIXED_NOW)), ROUTE).notifications[0];
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
