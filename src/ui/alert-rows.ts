import type { HistoryRecord } from '../history/history-store';
import { notificationState, type NotificationEntry, type NotificationStateName } from '../outbox/notification-log';
import { formatDate } from '../render/time-format';

/**
 * Alert rows for the console's first screen: each alert with where it fires (the labels that say
 * where: cluster, namespace, instance…), since when (server.timezone), and which receivers its
 * notifications went to with the latest state per receiver. The link alert → notifications is the
 * fingerprint, which every notification summary lists.
 */
export const WHERE_LABELS = ['cluster', 'region', 'env', 'namespace', 'service', 'job', 'instance', 'host', 'hostname', 'node', 'pod', 'container', 'device', 'mountpoint', 'index'];

export interface AlertDelivery {
  receiver: string;
  state: NotificationStateName;
  /** The newest notification to this receiver that carried the alert. */
  notificationId: string;
}

export interface AlertRow {
  source: string;
  name: string;
  severity: string;
  status: string;
  fingerprint: string;
  where: string;
  labels: Record<string, string>;
  since: string;
  startsAt: string;
  endsAt?: string;
  received: string;
  receivedAt: number;
  deliveries: AlertDelivery[];
}

/** DeliveryIndex maps fingerprints to the notifications (newest first) that carried them. */
export type DeliveryIndex = Map<string, NotificationEntry[]>;

export function deliveryIndex(entries: NotificationEntry[]): DeliveryIndex {
  const index: DeliveryIndex = new Map();
  for (const entry of entries) {
    for (const fingerprint of entry.summary.fingerprints) {
      const list = index.get(fingerprint);
      if (list) list.push(entry);
      else index.set(fingerprint, [entry]);
    }
  }
  return index;
}

/** whereOf: the location labels present, in a fixed order (`cluster=prod · instance=db-1:9104`). */
export function whereOf(labels: Record<string, string>): string {
  return WHERE_LABELS.filter((name) => labels[name])
    .map((name) => `${name}=${labels[name]}`)
    .join(' · ');
}

export function alertRow(record: HistoryRecord, index: DeliveryIndex, timezone: string): AlertRow {
  const deliveries: AlertDelivery[] = [];
  for (const entry of index.get(record.fingerprint) ?? []) {
    if (entry.summary.source !== record.source || deliveries.some((delivery) => delivery.receiver === entry.receiver)) continue;
    deliveries.push({ receiver: entry.receiver, state: notificationState(entry), notificationId: entry.id });
  }
  const startsAt = Date.parse(record.startsAt);
  return {
    source: record.source,
    name: record.name,
    severity: record.severity,
    status: record.status,
    fingerprint: record.fingerprint,
    where: whereOf(record.labels),
    labels: record.labels,
    since: Number.isFinite(startsAt) ? formatDate(startsAt, timezone) : record.startsAt,
    startsAt: record.startsAt,
    endsAt: record.endsAt,
    received: formatDate(record.receivedAt, timezone),
    receivedAt: record.receivedAt,
    deliveries,
  };
}
