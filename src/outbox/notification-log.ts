import type { Notification } from '../model/notification';

/**
 * The notification log: every outbox job, queued, in flight, retrying, sent or dead, as the web
 * console lists it. Sent jobs stay in the store (state `sent`) until the newest KEEP_SENT are kept,
 * so the console can show what went out; a summary (names, fingerprints) is written at enqueue so
 * listing and searching never parse the stored notification.
 */
export const KEEP_SENT = 1000;

/** How many of the newest notifications a search looks at (both stores): bounded work per request. */
export const NOTIFICATION_SCAN = 3000;

/** At most this many distinct alert names are kept in a summary (a storm lists the first ones). */
const MAX_NAMES = 20;

/** NotificationSummary: what a list row needs, computed once at enqueue. */
export interface NotificationSummary {
  kind: Notification['kind'];
  source: string;
  /** Distinct alert names (or the message title), at most MAX_NAMES. */
  names: string[];
  /** Fingerprints of the alerts carried (links alerts to the notifications that carried them). */
  fingerprints: string[];
  alertCount: number;
  firing: number;
  resolved: number;
}

/** StoredState: the job's raw state; `sending` and `retrying` are derived from its fields. */
export type StoredState = 'pending' | 'sent' | 'dead';

/** NotificationEntry: one job as the log returns it (without the notification body). */
export interface NotificationEntry {
  id: string;
  receiver: string;
  state: StoredState;
  summary: NotificationSummary;
  offset: number;
  partsSent: number;
  /** Parts the packer planned at the last send (undefined before the first send). */
  partsTotal?: number;
  attempts: number;
  createdAt: number;
  nextAttemptAt: number;
  sendingSince?: number;
  lastError?: string;
  errcode?: number;
  reason?: string;
  failedAt?: number;
  finishedAt?: number;
}

/** NotificationQuery: the console's filters; every field optional, results newest first. */
export interface NotificationQuery {
  receiver?: string;
  /** Derived state to keep (see notificationState). */
  state?: NotificationStateName;
  source?: string;
  /** Case-insensitive substring of an alert name (or message title). */
  name?: string;
  fingerprint?: string;
  /** createdAt range, ms since epoch, [from, to). */
  from?: number;
  to?: number;
  limit: number;
}

export type NotificationStateName = 'queued' | 'sending' | 'retrying' | 'sent' | 'dead';

/** notificationState: the true current state of a job, from its stored fields only. */
export function notificationState(entry: Pick<NotificationEntry, 'state' | 'sendingSince' | 'lastError'>): NotificationStateName {
  if (entry.state === 'sent' || entry.state === 'dead') return entry.state;
  if (entry.sendingSince !== undefined) return 'sending';
  // A delivered part clears lastError: the job then waits for its next part, it is not failing.
  return entry.lastError !== undefined ? 'retrying' : 'queued';
}

/** summarize computes a notification's summary (at enqueue, or for rows written before summaries existed). */
export function summarize(notification: Notification): NotificationSummary {
  if (notification.kind === 'message') {
    return { kind: 'message', source: notification.source, names: [notification.title], fingerprints: [], alertCount: 1, firing: 0, resolved: 0 };
  }
  const names = [...new Set(notification.alerts.map((alert) => alert.name))].slice(0, MAX_NAMES);
  const firing = notification.alerts.filter((alert) => alert.status === 'firing').length;
  return {
    kind: 'alerts',
    source: notification.source,
    names,
    fingerprints: notification.alerts.map((alert) => alert.fingerprint),
    alertCount: notification.alerts.length,
    firing,
    resolved: notification.alerts.length - firing,
  };
}

/** summarizeStored: the summary of a stored notification text; an unreadable row still gets a row. */
export function summarizeStored(text: string | null | undefined): NotificationSummary {
  try {
    return summarize(JSON.parse(text ?? '') as Notification);
  } catch {
    return { kind: 'message', source: 'unknown', names: ['(unreadable)'], fingerprints: [], alertCount: 0, firing: 0, resolved: 0 };
  }
}

/** parseStored: the stored notification, or undefined when the row cannot be read. */
export function parseStored(text: string | null | undefined): Notification | undefined {
  try {
    const value = JSON.parse(text ?? '') as Notification;
    return value && typeof value === 'object' && (value.kind === 'alerts' || value.kind === 'message') ? value : undefined;
  } catch {
    return undefined;
  }
}

/** matchesQuery applies a query's filters to one entry (both stores share it, so they agree). */
export function matchesQuery(entry: NotificationEntry, query: NotificationQuery): boolean {
  if (query.receiver && entry.receiver !== query.receiver) return false;
  if (query.state && notificationState(entry) !== query.state) return false;
  if (query.source && entry.summary.source !== query.source) return false;
  if (query.from !== undefined && entry.createdAt < query.from) return false;
  if (query.to !== undefined && entry.createdAt >= query.to) return false;
  if (query.fingerprint && !entry.summary.fingerprints.includes(query.fingerprint)) return false;
  if (query.name) {
    const needle = query.name.toLowerCase();
    if (!entry.summary.names.some((name) => name.toLowerCase().includes(needle))) return false;
  }
  return true;
}

/**
 * jobParts numbers the jobs a message carries as the packer labels them (`3/8`). A section that
 * carries the packer's own label (`part`, when the packer provides it) is used as is; otherwise
 * part = parts already sent + 1 and total = part + the planned later messages of the job, or, when
 * the packer plans only the first message, an estimate from the items left at this message's rate.
 * The estimate is replaced by the true count once the job is sent (parts sent).
 */
export interface PartSection {
  id: string;
  start: number;
  end: number;
  part?: { index: number; total: number };
}

export function jobParts(message: { sections: PartSection[] }, planned: { sections: { id: string }[] }[], jobs: { id: string; partsSent: number; items: number }[]): JobPart[] {
  const ids = [...new Set(message.sections.map((section) => section.id))];
  return ids.flatMap((id) => {
    const job = jobs.find((candidate) => candidate.id === id);
    if (!job) return [];
    const sections = message.sections.filter((section) => section.id === id);
    const labelled = sections.find((section) => section.part)?.part;
    if (labelled) return [{ id, part: labelled.index, total: labelled.total }];
    const part = job.partsSent + 1;
    const later = planned.filter((candidate) => candidate !== message && candidate.sections.some((section) => section.id === id)).length;
    const carried = sections.reduce((sum, section) => sum + section.end - section.start, 0);
    const left = job.items - Math.max(...sections.map((section) => section.end));
    const estimate = left > 0 && carried > 0 ? Math.ceil(left / carried) : 0;
    return [{ id, part, total: part + Math.max(later, estimate) }];
  });
}

/** JobPart: which part of a job a sent message carried, as the packer numbered it (`3/8`). */
export interface JobPart {
  id: string;
  part: number;
  total: number;
}
