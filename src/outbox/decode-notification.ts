import type { Notification } from '../model/notification';

/**
 * Reading a stored notification back from the outbox. A row can become unreadable (a damaged page,
 * a hand edit, a row written by an incompatible version): it must not stop its receiver, so the
 * stores report such rows as UnreadableJobsError and the worker moves them to the dead letters.
 * The shape check is deliberately shallow (the fields delivery reads before rendering) and linear
 * in the number of alerts, so reading a 10,000-alert job stays cheap.
 */

/** A queued row whose stored notification cannot be decoded. */
export interface UnreadableJob {
  id: string;
  receiver: string;
  /** Why it cannot be read, e.g. `unreadable: Unexpected token } in JSON at position 12`. */
  error: string;
}

/** UnreadableJobsError: thrown by OutboxStore.pending when some rows of the batch cannot be read. */
export class UnreadableJobsError extends Error {
  constructor(readonly jobs: UnreadableJob[]) {
    super(`${jobs.length} outbox row(s) cannot be read: ${jobs.map((job) => `${job.id} (${job.error})`).join(', ')}`);
    this.name = 'UnreadableJobsError';
  }
}

/** decodeNotification parses a stored notification; throws an Error saying what is wrong. */
export function decodeNotification(text: string): Notification {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`unreadable: ${(err as Error).message}`);
  }
  const problem = shapeProblem(value);
  if (problem) throw new Error(`unreadable: ${problem}`);
  return value as Notification;
}

/** deadLetterContent: a dead letter's notification, or its raw text when it cannot be read (listed as is). */
export function deadLetterContent(text: string): { notification?: Notification; raw?: string } {
  try {
    return { notification: decodeNotification(text) };
  } catch {
    return { raw: text };
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function shapeProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'the stored notification is not a JSON object';
  for (const field of ['receiver', 'source', 'template'] as const) if (typeof value[field] !== 'string') return `notification.${field} is not a string`;
  if (value.kind === 'message') {
    for (const field of ['title', 'content'] as const) if (typeof value[field] !== 'string') return `notification.${field} is not a string`;
    if (!isRecord(value.labels)) return 'notification.labels is not an object';
    return undefined;
  }
  if (value.kind !== 'alerts') return `notification.kind is ${JSON.stringify(value.kind)} (expected "alerts" or "message")`;
  if (!Array.isArray(value.alerts)) return 'notification.alerts is not an array';
  for (const field of ['groupLabels', 'commonLabels', 'commonAnnotations'] as const) if (!isRecord(value[field])) return `notification.${field} is not an object`;
  const alerts = value.alerts as unknown[];
  for (let index = 0; index < alerts.length; index++) {
    const alert = alerts[index];
    if (!isRecord(alert)) return `notification.alerts[${index}] is not an object`;
    for (const field of ['status', 'name', 'fingerprint', 'startsAt'] as const) if (typeof alert[field] !== 'string') return `notification.alerts[${index}].${field} is not a string`;
    if (!isRecord(alert.labels)) return `notification.alerts[${index}].labels is not an object`;
    if (!isRecord(alert.annotations)) return `notification.alerts[${index}].annotations is not an object`;
  }
  return undefined;
}
