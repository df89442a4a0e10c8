import { createHash } from 'node:crypto';
import type { Alert } from '../model/alert';
import type { Notification } from '../model/notification';

/**
 * dedupKey identifies "the same notification" (SPEC §6): source, receiver, template, group key,
 * `truncatedAlerts`, and each alert's identity within its episode — fingerprint, status and the
 * episode's start (see `episodeOf`). Deduplication exists for the twin notifications of an HA pair
 * (two Alertmanagers, seconds apart), never for a new episode: firing → resolved → firing again
 * within `delivery.dedup_window` gives three different keys, because the second firing has a new
 * `startsAt`, so the flap is delivered.
 *
 * What stays out of the key is exactly what differs between HA twins (checked in
 * prometheus/alertmanager, notify/notify.go, dispatch/dispatch.go, alert/alert.go, api/v2/api.go):
 * - `externalURL` (each instance's `--web.external-url`) and the payload `receiver`;
 * - `generatorURL` when two Prometheus replicas feed the pair;
 * - `endsAt`: while firing it is zeroed in the payload (`alert.Alerts()`), but a resolution by
 *   timeout (a client that sent no `endsAt`) is `receipt time + resolve_timeout` computed by each
 *   instance on its own, so twins differ by milliseconds. The status already says "resolved".
 * - the order of the alerts (sorted here, so a sender's ordering never matters).
 * Both instances see the same `startsAt` (Prometheus sends it to every Alertmanager, and
 * Alertmanager keeps the earliest `startsAt` of an episode when it merges updates), the same
 * fingerprints, group key and `truncatedAlerts`.
 */
export function dedupKey(notification: Notification): string {
  // One string hashed in one call: the same bytes (so the same key) as feeding the parts one by
  // one, without a native call per alert.
  let text: string;
  if (notification.kind === 'alerts') {
    text = ['alerts', notification.source, notification.receiver, notification.template, notification.groupKey ?? '', String(notification.truncatedAlerts)].join('\u0000');
    const identities = notification.alerts.map((alert) => `${alert.fingerprint}:${alert.status}:${episodeOf(alert)}`).sort();
    for (const identity of identities) text += `\u0000${identity}`;
  } else {
    text = ['message', notification.source, notification.receiver, notification.title, notification.content, notification.createdAt].join('\u0000');
  }
  return createHash('sha256').update(text).digest('hex');
}

/**
 * episodeOf names the alert's episode: its `startsAt` as an instant (epoch ms), so two spellings of
 * one instant (`…Z`, `…+08:00`, extra sub-millisecond digits) agree. Per source, `startsAt` is:
 * - Alertmanager, Grafana unified: the episode's start — identical in both HA twins, new for every
 *   episode (a re-fire after a resolution gets a new `startsAt`; Alertmanager does not merge an
 *   alert into a resolved one).
 * - Kibana rules: `context.date`, else `date` — the rule execution that scheduled the action. A
 *   retried action re-sends the same rendered body (same date); every execution has its own.
 *   (`alert.uuid` is not used: Kibana's flapping detection can keep one uuid across a flap.)
 * - Elasticsearch Watcher: `triggered_time` — the same for every send of one execution (it is part
 *   of the rendered body), different for each scheduled run.
 * - Grafana legacy: the receive time — legacy alerting sends once per state change (no HA twins,
 *   no retries), so every legacy post is a new notification.
 */
export function episodeOf(alert: Pick<Alert, 'startsAt'>): string {
  const instant = Date.parse(alert.startsAt);
  return Number.isNaN(instant) ? alert.startsAt : String(instant);
}
