import type { Alert, SourceName } from './alert';
import type { DigestSummary } from './digest-summary';

/**
 * Notification: the alerts of one payload that routed to one receiver (with one template), i.e. the
 * unit that is durably queued in the outbox. Rendering happens at send time so that queued
 * notifications for a busy receiver can be packed densely into few messages (coalescing).
 */
export interface AlertNotification {
  kind: 'alerts';
  source: SourceName;
  receiver: string;
  /** Template base name (route `template`, else the source name). */
  template: string;
  groupKey?: string;
  alerts: Alert[];
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL?: string;
  truncatedAlerts: number;
  /** The sender's own title / message of the group (Grafana), see ParsedPayload. */
  senderTitle?: string;
  senderMessage?: string;
}

/** A generic message from `POST /api/v1/messages` or a digest: one item, routed like an alert. */
export interface TextNotification {
  kind: 'message';
  source: SourceName | 'digest';
  receiver: string;
  template: string;
  title: string;
  content: string;
  severity?: string;
  labels: Record<string, string>;
  /** Optional per-message msgtype override (must be valid for the receiver kind). */
  msgtype?: string;
  /** Optional per-message mention override. */
  mention?: { users?: string[]; mobiles?: string[]; all?: boolean };
  createdAt: string;
  /** Digests only: the summary the `digest` templates render (as `digest`). */
  digest?: DigestSummary;
}

export type Notification = AlertNotification | TextNotification;

/** Number of renderable items: alerts for alert notifications, 1 for a message. */
export function itemCount(n: Notification): number {
  return n.kind === 'alerts' ? n.alerts.length : 1;
}
