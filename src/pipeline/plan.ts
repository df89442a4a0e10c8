import type { Alert, ParsedPayload } from '../model/alert';
import type { AlertNotification } from '../model/notification';
import type { RouteConfig } from '../config/schema';
import { routeAlert, type RouteTarget } from '../routing/router';
import { orderAlerts } from '../render/alert-order';
import { DEFAULT_SEVERITY_SCHEME, type SeverityScheme } from '../render/severity';

/**
 * planNotifications routes every alert of a payload and groups the alerts that land on the same
 * receiver (and template) into one notification, keeping payload order (SPEC §4). With a pinned
 * receiver (`/webhook/{source}/{receiver}`) the routing table is bypassed.
 */
export interface AlertRouting {
  alert: Alert;
  targets: RouteTarget[];
  /** Receivers skipped because their route has send_resolved: false. */
  suppressed: string[];
}

export interface Plan {
  notifications: AlertNotification[];
  routing: AlertRouting[];
}

/** routingLabels: the labels matchers see, plus the pseudo-labels `source` and `status`. */
export function routingLabels(alert: Alert): Record<string, string> {
  return { ...alert.labels, source: alert.source, status: alert.status };
}

/**
 * planNotifications groups the payload's alerts per receiver; each notification's alerts are put in
 * reading order (orderAlerts: firing before resolved, most severe first) so every part of a split
 * message follows it.
 */
export function planNotifications(parsed: ParsedPayload, route: RouteConfig, pinnedReceiver?: string, scheme: SeverityScheme = DEFAULT_SEVERITY_SCHEME): Plan {
  const groups = new Map<string, AlertNotification>();
  const routing: AlertRouting[] = [];
  for (const alert of parsed.alerts) {
    const targets: RouteTarget[] = pinnedReceiver
      ? [{ receiver: pinnedReceiver, sendResolved: true, routePath: `pinned:${pinnedReceiver}` }]
      : routeAlert(route, routingLabels(alert));
    const suppressed: string[] = [];
    for (const target of targets) {
      if (alert.status === 'resolved' && !target.sendResolved) {
        suppressed.push(target.receiver);
        continue;
      }
      const template = target.template ?? parsed.source;
      const key = `${target.receiver}\u0000${template}`;
      let group = groups.get(key);
      if (!group) {
        group = {
          kind: 'alerts',
          source: parsed.source,
          receiver: target.receiver,
          template,
          groupKey: parsed.groupKey,
          alerts: [],
          groupLabels: parsed.groupLabels,
          commonLabels: parsed.commonLabels,
          commonAnnotations: parsed.commonAnnotations,
          externalURL: parsed.externalURL,
          truncatedAlerts: parsed.truncatedAlerts,
          ...(parsed.senderTitle ? { senderTitle: parsed.senderTitle } : {}),
          ...(parsed.senderMessage ? { senderMessage: parsed.senderMessage } : {}),
        };
        groups.set(key, group);
      }
      group.alerts.push(alert);
    }
    routing.push({ alert, targets, suppressed });
  }
  const notifications = [...groups.values()];
  for (const notification of notifications) notification.alerts = orderAlerts(notification.alerts, scheme);
  return { notifications, routing };
}
