import type { Notification } from '../model/notification';
import type { JobPart, NotificationEntry, NotificationQuery } from './notification-log';
import type { UnreadableJob } from './decode-notification';

/**
 * The outbox store: every notification is persisted here before the webhook answers 200 (SPEC §3),
 * and the worker drains it. This interface is what a shared store (Redis, for several replicas)
 * implements too; the embedded default is SQLite (sqlite-store.ts). All methods are async so a
 * networked store fits.
 */
export interface OutboxJob {
  id: string;
  receiver: string;
  notification: Notification;
  /** Items (alerts) already delivered. */
  offset: number;
  partsSent: number;
  attempts: number;
  createdAt: number;
  nextAttemptAt: number;
  lastError?: string;
}

export interface DeadLetter {
  id: string;
  receiver: string;
  /** Absent when the stored notification cannot be read (reason `unreadable`); `raw` is then its text. */
  notification?: Notification;
  raw?: string;
  offset: number;
  errcode?: number;
  reason: string;
  error: string;
  attempts: number;
  createdAt: number;
  failedAt: number;
}

export interface DeliveryRecord {
  id?: number;
  at: number;
  receiver: string;
  source: string;
  msgtype: string;
  /** sent | retrying | dead (failed permanently) | duplicate (sent again after a crash) */
  status: 'sent' | 'retrying' | 'dead';
  errcode?: number;
  reason?: string;
  error?: string;
  alertCount: number;
  bytes: number;
  /** The exact request body (secrets never included: they live in the URL). */
  body: string;
  /** The outbox jobs this message carried and which part of each (absent on records written before). */
  jobs?: JobPart[];
}

export interface EnqueueItem {
  notification: Notification;
  dedupKey: string;
}

export interface EnqueueResult {
  queued: number;
  deduplicated: number;
  /** The receiver of each dropped duplicate (for per-receiver metrics). */
  duplicateReceivers: string[];
  /** Receivers that got new work (to wake their workers). */
  receivers: string[];
}

export interface JobProgress {
  id: string;
  offset: number;
  partsSent: number;
  done: boolean;
}

export interface OutboxStore {
  /** enqueue atomically drops duplicates seen within `dedupWindowMs` and persists the rest. */
  enqueue(items: EnqueueItem[], now: number, dedupWindowMs: number): Promise<EnqueueResult>;
  /**
   * pending returns a receiver's queued jobs in arrival order (at most `limit`). Throws
   * UnreadableJobsError (decode-notification.ts) listing the rows among them that cannot be read.
   * A store may serve the decoded notification from memory (notification-cache.ts: it never changes
   * after enqueue); which jobs are queued, and their progress, are always read from storage.
   */
  pending(receiver: string, limit: number): Promise<OutboxJob[]>;
  /** receiversWithWork lists receivers that have queued jobs (used at start to resume). */
  receiversWithWork(): Promise<string[]>;
  /** markSending flags jobs whose message is being sent; cleared by progress, deferred and kill. */
  markSending(ids: string[], now: number): Promise<void>;
  /**
   * recoverInterrupted clears a receiver's flags left by a process that died mid-send and returns
   * how many jobs were affected: their message may have reached WeCom already and is sent again.
   * Called when a worker takes over a receiver (first drain of this process, or a new lease).
   */
  recoverInterrupted(receiver: string): Promise<number>;
  /** progress records delivered items; jobs with done=true leave the queue (kept as `sent` in the log, finished at `now`). */
  progress(updates: JobProgress[], now?: number): Promise<void>;
  /** deferred records a failed attempt: attempts+1 and the next attempt time for these jobs. */
  deferred(ids: string[], nextAttemptAt: number, error: string): Promise<void>;
  /** kill moves jobs to the dead-letter list. */
  kill(ids: string[], failure: { errcode?: number; reason: string; error: string }, now: number): Promise<void>;
  /**
   * quarantine moves rows that cannot be read (reported by `pending` as UnreadableJobsError) to the
   * dead letters with reason `unreadable` and their own error, so the rest of the queue flows.
   */
  quarantine(jobs: UnreadableJob[], now: number): Promise<void>;
  deadLetters(): Promise<DeadLetter[]>;
  /** requeue moves dead letters (one id, or all) back to the queue; returns how many. */
  requeue(id: string | 'all', now: number): Promise<{ count: number; receivers: string[] }>;
  /** pendingCounts: queued jobs per receiver (metrics). */
  pendingCounts(): Promise<Record<string, number>>;
  deadCounts(): Promise<Record<string, number>>;
  recordDelivery(record: DeliveryRecord): Promise<void>;
  recentDeliveries(limit: number): Promise<DeliveryRecord[]>;
  /** notifications lists jobs (any state) newest first, filtered, among the newest NOTIFICATION_SCAN. */
  notifications(query: NotificationQuery): Promise<NotificationEntry[]>;
  /** notification returns one job with its stored notification, or undefined once trimmed. */
  notification(id: string): Promise<(NotificationEntry & { notification?: Notification }) | undefined>;
  /** deliveriesOf returns the delivery records (attempts) that carried a job, newest first. */
  deliveriesOf(id: string, limit: number): Promise<DeliveryRecord[]>;
  /** sendTimes: when messages were sent to a receiver since `since` (rate-limit state after restart). */
  sendTimes(receiver: string, since: number): Promise<number[]>;
  /** writable is the readiness check: can the store accept work right now? (probe, as a boolean) */
  writable(): Promise<boolean>;
  /** probe makes one small real write (SQLite: committed like an enqueue); rejects with the storage error. */
  probe(now: number): Promise<void>;
  close(): Promise<void>;
}
