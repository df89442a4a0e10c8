import type { Alert, AlertLinks } from '../model/alert';
import type { Notification } from '../model/notification';
import type { DigestSummary } from '../digest/types';
import { sanitizeRecord, sanitizeUrl, sanitizeValue, type SanitizeMode } from './sanitize';

/**
 * The template context (SPEC §5, documented in README "Template context"). Every string that came
 * from a payload is sanitized here, once, so templates can interpolate freely without letting a
 * label inject markup, mentions or line breaks.
 */
/** AlertView: an alert as templates see it — the model's shape, with every payload string sanitized. */
export type AlertView = Alert;

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

/** buildContext builds the context for items [start, end) of a notification. */
export function buildContext(notification: Notification, start: number, end: number, part: PartInfo | null, mode: SanitizeMode, compact = false): MessageContext {
  const label = partLabel(part);
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
      title: sanitizeValue(notification.title, mode),
      // Content of a generic message is the caller's own markup (authenticated internal jobs).
      content: notification.content,
      severity: notification.severity ? sanitizeValue(notification.severity, mode) : undefined,
      labels: sanitizeRecord(notification.labels, mode),
      createdAt: notification.createdAt,
      digest: notification.digest ? sanitizeDeep(notification.digest, mode) : undefined,
    };
  }
  const alerts = notification.alerts.slice(start, end).map((alert) => viewOf(alert, mode));
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
    totals: totalsOf(notification.alerts),
    groupLabels: sanitizeRecord(notification.groupLabels, mode),
    commonLabels: sanitizeRecord(notification.commonLabels, mode),
    commonAnnotations: sanitizeRecord(notification.commonAnnotations, mode),
    externalURL: sanitizeUrl(notification.externalURL),
    truncatedAlerts: notification.truncatedAlerts,
    part,
    partLabel: label,
    compact,
  };
}

function totalsOf(alerts: Alert[]): { firing: number; resolved: number } {
  const firing = alerts.filter((alert) => alert.status === 'firing').length;
  return { firing, resolved: alerts.length - firing };
}

function viewOf(alert: Alert, mode: SanitizeMode): AlertView {
  const links: AlertLinks = {};
  for (const [key, url] of Object.entries(alert.links) as [keyof AlertLinks, string | undefined][]) {
    const safe = sanitizeUrl(url);
    if (safe) links[key] = safe;
  }
  return {
    source: alert.source,
    status: alert.status,
    name: sanitizeValue(alert.name, mode),
    severity: sanitizeValue(alert.severity, mode),
    summary: sanitizeValue(alert.summary, mode),
    description: sanitizeValue(alert.description, mode),
    labels: sanitizeRecord(alert.labels, mode),
    annotations: sanitizeRecord(alert.annotations, mode),
    startsAt: alert.startsAt,
    endsAt: alert.endsAt,
    fingerprint: alert.fingerprint,
    value: alert.value === undefined ? undefined : sanitizeValue(alert.value, mode),
    links,
    resolvedReason: alert.resolvedReason === undefined ? undefined : sanitizeValue(alert.resolvedReason, mode),
    problem: alert.problem,
    errorText: alert.errorText === undefined ? undefined : sanitizeValue(alert.errorText, mode),
  };
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
