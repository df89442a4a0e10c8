import type { Alert } from '../model/alert';
import type { AlertNotification, Notification } from '../model/notification';
import type { DigestSummary } from '../model/digest-summary';
import { sanitizeRecord, sanitizeValue, type SanitizeMode } from './sanitize';
import { sharedParts, type SharedParts } from './shared-parts';
import { viewOf, type AlertView } from './alert-view';
import { groupAlerts, type AlertGroup } from './alert-groups';
import { DEFAULT_MESSAGE_STYLE, type MessageStyle } from './message-style';
import { summarize, type NotificationSummary } from './notification-summary';

/**
 * The template context (SPEC §5, documented in README "Template context"). Every string that came
 * from a payload is sanitized here, once, so templates can interpolate freely without letting a
 * label inject markup, mentions or line breaks.
 */
export type { AlertView } from './alert-view';

export interface PartInfo {
  index: number;
  total: number;
}

export interface MessageContext {
  kind: 'alerts' | 'message';
  source: string;
  status: 'firing' | 'resolved';
  receiver: string;
  alerts: AlertView[];
  firing: AlertView[];
  resolved: AlertView[];
  /** Alerts of the whole notification (a part shows only some of them). */
  totalAlerts: number;
  /** Firing / resolved counts of the whole notification, for headers of numbered parts. */
  totals: { firing: number; resolved: number };
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL?: string;
  truncatedAlerts: number;
  part: PartInfo | null;
  /** `(1/3)` when the notification spans several messages, else empty. */
  partLabel: string;
  /**
   * True when the queue for this receiver needs more than one message: templates then render one
   * line per alert, so a storm arrives as a few dense messages instead of many sparse ones.
   */
  compact: boolean;
  /**
   * The whole notification's header facts (what, where, how bad, where to click), the same in every
   * part: `header.title`, `header.whereText`, `header.countsText`, `header.worst`, `header.link`…
   * (notification-summary.ts). Empty for generic messages.
   */
  header?: NotificationSummary;
  /** The alerts of this part as runs of one name and badge (the storm layout). */
  groups: AlertGroup[];
  /** True for a single message or the first part of a split (mentions, the sender's message). */
  firstPart: boolean;
  /** True for a single message or the last part (the "另有 N 条未列出" note). */
  lastPart: boolean;
  /** Human name of the sender: Alertmanager, Grafana, Kibana. */
  sourceName: string;
  /** Generic messages and digests. */
  title?: string;
  content?: string;
  severity?: string;
  labels?: Record<string, string>;
  createdAt?: string;
  /** Digests: the summary (README "Digests"), every string sanitized like payload values. */
  digest?: DigestSummary;
}

/** partLabel renders the visible part number. */
export function partLabel(part: PartInfo | null): string {
  return part && part.total > 1 ? `(${part.index}/${part.total})` : '';
}

/** Where a context's views and group-level values come from when they are shared between renders (context-memo.ts). */
export interface ContextParts {
  views(notification: AlertNotification, header: NotificationSummary, start: number, end: number): AlertView[];
  shared(notification: AlertNotification): SharedParts;
}

/**
 * buildContext builds the context for items [start, end) of a notification. With `memo` (one per
 * pack() call, made for the same mode and style), views and group-level values are built once
 * however many slices and parts of the notification are rendered.
 */
export function buildContext(notification: Notification, start: number, end: number, part: PartInfo | null, mode: SanitizeMode, compact = false, style: MessageStyle = DEFAULT_MESSAGE_STYLE, memo?: ContextParts): MessageContext {
  const label = partLabel(part);
  const firstPart = !part || part.index === 1;
  const lastPart = !part || part.index === part.total;
  const sourceName = SOURCE_NAMES[notification.source] ?? notification.source;
  if (notification.kind === 'message') {
    return {
      kind: 'message',
      source: notification.source,
      status: 'firing',
      receiver: notification.receiver,
      alerts: [],
      firing: [],
      resolved: [],
      totalAlerts: 0,
      totals: { firing: 0, resolved: 0 },
      groupLabels: {},
      commonLabels: {},
      commonAnnotations: {},
      truncatedAlerts: 0,
      part,
      partLabel: label,
      compact,
      groups: [],
      firstPart,
      lastPart,
      sourceName,
      title: sanitizeValue(notification.title, mode),
      // Content of a generic message is the caller's own markup (authenticated internal jobs).
      content: notification.content,
      severity: notification.severity ? sanitizeValue(notification.severity, mode) : undefined,
      labels: sanitizeRecord(notification.labels, mode),
      createdAt: notification.createdAt,
      digest: notification.digest ? sanitizeDeep(notification.digest, mode) : undefined,
    };
  }
  const header = summarize(notification, style, mode);
  const alerts = memo ? memo.views(notification, header, start, end) : notification.alerts.slice(start, end).map((alert) => viewOf(alert, mode, style, header.differing, header.sharedSuffix));
  const shared = memo ? memo.shared(notification) : sharedParts(notification, mode);
  const firing = alerts.filter((alert) => alert.status === 'firing');
  return {
    kind: 'alerts',
    source: notification.source,
    status: firing.length > 0 ? 'firing' : 'resolved',
    receiver: notification.receiver,
    alerts,
    firing,
    resolved: alerts.filter((alert) => alert.status === 'resolved'),
    totalAlerts: notification.alerts.length,
    totals: totalsOf(header),
    groupLabels: shared.groupLabels,
    commonLabels: shared.commonLabels,
    commonAnnotations: shared.commonAnnotations,
    externalURL: shared.externalURL,
    truncatedAlerts: notification.truncatedAlerts,
    part,
    partLabel: label,
    compact,
    header,
    groups: groupAlerts(alerts),
    firstPart,
    lastPart,
    sourceName,
  };
}

const SOURCE_NAMES: Record<string, string> = { alertmanager: 'Alertmanager', grafana: 'Grafana', kibana: 'Kibana', api: '消息', digest: '摘要' };

/** totalsOf: firing / resolved counts of the whole notification (older templates' `totals`). */
function totalsOf(header: NotificationSummary): { firing: number; resolved: number } {
  let resolved = 0;
  let all = 0;
  for (const count of header.counts) {
    all += count.count;
    if (count.key === 'resolved' || count.key === 'ended') resolved += count.count;
  }
  return { firing: all - resolved, resolved };
}

/** sanitizeDeep sanitizes every string inside plain JSON data (digest summaries: alert names, instances…). */
function sanitizeDeep<T>(value: T, mode: SanitizeMode): T {
  if (typeof value === 'string') return sanitizeValue(value, mode) as T;
  if (Array.isArray(value)) return value.map((item) => sanitizeDeep(item, mode)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, sanitizeDeep(item, mode)])) as T;
  }
  return value;
}
