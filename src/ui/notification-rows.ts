import { errcodeInfo } from '../channels/errcodes';
import { itemCount, type Notification } from '../model/notification';
import { notificationState, type NotificationEntry, type NotificationStateName } from '../outbox/notification-log';
import type { DeliveryRecord } from '../outbox/store';
import { formatDate } from '../render/time-format';

/**
 * Notification rows as the console shows them: one per outbox job, with its true current state
 * derived from the job itself (so a dead letter never still shows "retrying"), parts `sent/total`,
 * and for a retrying job the attempt count, the next attempt time and the last errcode.
 */
export interface NotificationRow {
  id: string;
  receiver: string;
  source: string;
  kind: string;
  names: string[];
  alertCount: number;
  firing: number;
  resolved: number;
  state: NotificationStateName;
  /** Parts delivered and planned (`3/8`); total undefined before the first send. */
  parts: { sent: number; total?: number };
  attempts: number;
  createdAt: number;
  time: string;
  /** Retrying: when the next attempt is due (ms since epoch and in server.timezone). */
  nextAttemptAt?: number;
  nextTime?: string;
  errcode?: number;
  reason?: string;
  error?: string;
  /** What the operator should fix (errcode hint). */
  hint?: string;
  finishedTime?: string;
  failedTime?: string;
}

export function notificationRow(entry: NotificationEntry, timezone: string): NotificationRow {
  const state = notificationState(entry);
  const errcode = entry.errcode && entry.errcode !== 0 ? entry.errcode : undefined;
  return {
    id: entry.id,
    receiver: entry.receiver,
    source: entry.summary.source,
    kind: entry.summary.kind,
    names: entry.summary.names,
    alertCount: entry.summary.alertCount,
    firing: entry.summary.firing,
    resolved: entry.summary.resolved,
    state,
    parts: { sent: entry.partsSent, total: state === 'sent' ? entry.partsSent : entry.partsTotal },
    attempts: entry.attempts,
    createdAt: entry.createdAt,
    time: formatDate(entry.createdAt, timezone),
    ...(state === 'retrying' ? { nextAttemptAt: entry.nextAttemptAt, nextTime: formatDate(entry.nextAttemptAt, timezone) } : {}),
    ...(state === 'retrying' || state === 'dead' ? { errcode, reason: entry.reason, error: entry.lastError, hint: errcode !== undefined ? errcodeInfo(errcode).hint : undefined } : {}),
    ...(entry.finishedAt !== undefined ? { finishedTime: formatDate(entry.finishedAt, timezone) } : {}),
    ...(entry.failedAt !== undefined && state === 'dead' ? { failedTime: formatDate(entry.failedAt, timezone) } : {}),
  };
}

/** AttemptRow: one send of a message that carried the notification, with WeCom's answer and the exact body. */
export interface AttemptRow {
  at: number;
  time: string;
  status: DeliveryRecord['status'];
  part?: { part: number; total: number };
  errcode?: number;
  reason?: string;
  error?: string;
  hint?: string;
  msgtype: string;
  bytes: number;
  alertCount: number;
  body: string;
}

export function attemptRow(record: DeliveryRecord, jobId: string, timezone: string): AttemptRow {
  const part = record.jobs?.find((job) => job.id === jobId);
  return {
    at: record.at,
    time: formatDate(record.at, timezone),
    status: record.status,
    part: part && { part: part.part, total: part.total },
    errcode: record.errcode,
    reason: record.reason,
    error: record.error,
    hint: record.errcode ? errcodeInfo(record.errcode).hint : undefined,
    msgtype: record.msgtype,
    bytes: record.bytes,
    alertCount: record.alertCount,
    body: record.body,
  };
}

/** AlertLine: an alert of a notification (detail and dead letters), in server.timezone. */
export interface AlertLine {
  name: string;
  status: string;
  severity: string;
  fingerprint: string;
  since: string;
  summary: string;
  labels: Record<string, string>;
}

/** Alert lines shown per notification detail (a storm lists the first ones and says how many more). */
export const MAX_ALERT_LINES = 200;

export function alertLines(notification: Notification | undefined, timezone: string): { alerts: AlertLine[]; total: number; title?: string; content?: string } {
  if (!notification) return { alerts: [], total: 0, title: '(unreadable)', content: '存储的通知无法读取 (the stored notification cannot be read; see the dead-letter reason)' };
  if (notification.kind === 'message') return { alerts: [], total: itemCount(notification), title: notification.title, content: notification.content };
  return {
    total: notification.alerts.length,
    alerts: notification.alerts.slice(0, MAX_ALERT_LINES).map((alert) => ({
      name: alert.name,
      status: alert.status,
      severity: alert.severity,
      fingerprint: alert.fingerprint,
      since: formatDate(alert.startsAt, timezone),
      summary: alert.summary,
      labels: alert.labels,
    })),
  };
}
