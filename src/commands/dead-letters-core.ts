import { errcodeInfo } from '../channels/errcodes';
import { itemCount } from '../model/notification';
import type { OutboxStore } from '../outbox/store';
import { formatDate } from '../render/time-format';

/**
 * The dead-letter list and requeue as the operator sees them, shared by the `dead-letters` command
 * and the web console so both show the same rows and requeue the same way.
 */
export interface DeadLetterRow {
  id: string;
  receiver: string;
  source: string;
  failedAt: number;
  /** failedAt in server.timezone. */
  failedTime: string;
  /** Alerts (items) not yet delivered. */
  alerts: number;
  errcode?: number;
  /** Short machine reason (metric/log field). */
  reason: string;
  /** What to fix, in words (errcode hint; the error sentence when there is no errcode). */
  hint: string;
  error: string;
  attempts: number;
  /** The stored text, shortened, when the notification cannot be read (reason `unreadable`). */
  content?: string;
}

/** How much of an unreadable row's stored text a listing shows. */
const CONTENT_PREVIEW = 300;

export async function listDeadLetters(store: OutboxStore, timezone: string): Promise<DeadLetterRow[]> {
  const letters = await store.deadLetters();
  return letters.map((letter) => ({
    id: letter.id,
    receiver: letter.receiver,
    source: letter.notification?.source ?? 'unknown',
    failedAt: letter.failedAt,
    failedTime: formatDate(letter.failedAt, timezone),
    alerts: letter.notification ? itemCount(letter.notification) - letter.offset : 0,
    errcode: letter.errcode,
    reason: letter.reason,
    hint: letter.errcode !== undefined ? errcodeInfo(letter.errcode).hint : letter.error,
    error: letter.error,
    attempts: letter.attempts,
    ...(letter.notification ? {} : { content: preview(letter.raw ?? '') }),
  }));
}

function preview(raw: string): string {
  return raw.length > CONTENT_PREVIEW ? `${raw.slice(0, CONTENT_PREVIEW)}… (${raw.length} characters)` : raw;
}

export interface RequeueOutcome {
  count: number;
  receivers: string[];
  /** One line for the operator. */
  message: string;
}

/**
 * requeueDeadLetters moves one dead letter (by id) or all of them back to the queue. The caller
 * wakes the receivers' workers when it runs inside the service; the CLI cannot, and a running
 * service's worker picks the work up on its own within a few seconds.
 */
export async function requeueDeadLetters(store: OutboxStore, target: string | 'all', now: number): Promise<RequeueOutcome> {
  const result = await store.requeue(target, now);
  const message =
    result.count === 0
      ? `nothing requeued${target !== 'all' ? `: no dead letter with id ${target}` : ''}`
      : `requeued ${result.count} notification(s) for ${result.receivers.join(', ')}`;
  return { ...result, message };
}
