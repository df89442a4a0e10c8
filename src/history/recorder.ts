import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import type { Alert } from '../model/alert';
import { historyRecords, type HistoryRecord, type HistoryStore } from './history-store';

/**
 * HistoryRecorder records received alerts for digests, prunes what is older than
 * `delivery.history_retention` (at most every PRUNE_EVERY_MS) and keeps the history within
 * `storage.history_max_size` (trim, at most every TRIM_EVERY_MS). History is best effort and shares
 * the disk with the outbox: a failure never fails the webhook (whose notifications go to the outbox
 * next); it is counted in `wecom_adapter_history_dropped_total` and logged once until a write
 * succeeds again, so a full disk does not flood the log. A failure that looks like a full disk
 * gives the history's space back (release) so the outbox keeps accepting.
 *
 * Writes are grouped (issue 18): the records of every webhook that calls `record` in the same
 * event-loop turn, or while the previous write is still running, go to the store in one
 * `store.record` call (one transaction, one round trip) instead of one per webhook; each caller's
 * promise resolves once the write holding its records has finished (or failed). The batch is plain
 * data handed to the store, so a store in another thread or process works the same way.
 */
const PRUNE_EVERY_MS = 10 * 60_000;
const TRIM_EVERY_MS = 60_000;

/** isDiskFull: SQLite's or the OS's "no space left" (and SQLite's page-count limit). */
export function isDiskFull(err: unknown): boolean {
  const code = (err as { code?: string } | undefined)?.code;
  return code === 'SQLITE_FULL' || code === 'ENOSPC' || /disk is full|no space left/i.test(String((err as Error | undefined)?.message ?? err));
}

export class HistoryRecorder {
  private lastPrune = 0;
  private lastTrim = 0;
  /** The error last logged; the same failure is not logged again until a write succeeds. */
  private failing?: string;

  constructor(
    readonly store: HistoryStore,
    private readonly logger: Logger,
    private readonly retentionMs: () => number,
    private readonly dropped?: Counter<'reason'>,
  ) {}

  /** The batch being collected for the next write: records, the latest receive time, and who waits for it. */
  private next?: { records: HistoryRecord[]; now: number; waiters: (() => void)[] };
  /** True while a batch is being written; records arriving meanwhile go into the next one. */
  private writing = false;

  /** record queues received alerts for the next grouped write; resolves once it is done (never rejects). */
  record(alerts: Alert[], now: number): Promise<void> {
    return new Promise((resolve) => {
      const next = (this.next ??= { records: [], now, waiters: [] });
      for (const record of historyRecords(alerts, now)) next.records.push(record);
      next.now = Math.max(next.now, now);
      next.waiters.push(resolve);
      // The first caller of a turn schedules the write after every request handled in this turn.
      if (!this.writing && next.waiters.length === 1) setImmediate(() => void this.flush());
    });
  }

  /** flush writes the collected batches one after the other until nothing is waiting. */
  private async flush(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.next) {
        const batch = this.next;
        this.next = undefined;
        const written = await this.write(batch.records);
        for (const resolve of batch.waiters) resolve();
        // Pruning and trimming (a checkpoint of the file) happen after the webhooks were answered.
        if (written) await this.maintain(batch.now).catch((err) => this.logger.warn({ err: String(err) }, 'alert history maintenance (prune/trim) failed; tried again later'));
      }
    } finally {
      this.writing = false;
    }
  }

  /** write records one batch; returns whether it was written (failures are counted and logged here). */
  private async write(records: HistoryRecord[]): Promise<boolean> {
    try {
      await this.store.record(records);
      if (this.failing) this.logger.info('alert history is recorded again');
      this.failing = undefined;
      return true;
    } catch (err) {
      this.dropped?.inc({ reason: 'write_failed' }, records.length);
      const text = String(err);
      if (this.failing !== text) this.logger.warn({ err: text }, 'could not record alerts in the history (digests will miss them); delivery is not affected; logged once until it works again');
      this.failing = text;
      if (isDiskFull(err)) await this.release('the history could not be written: the disk is full');
      return false;
    }
  }

  /**
   * release drops the whole history to free its disk space for the outbox (called when a write of
   * the history or of the outbox found the disk full). Returns whether space was released.
   */
  async release(why: string): Promise<boolean> {
    if (!this.store.release) return false;
    try {
      const count = await this.store.release();
      this.dropped?.inc({ reason: 'disk_full' }, count);
      this.logger.error({ dropped: count }, `${why}; the alert history was dropped to keep the outbox writable (digests restart from now)`);
      return true;
    } catch (err) {
      this.logger.error({ err: String(err) }, `${why}; releasing the alert history failed`);
      return false;
    }
  }

  private async maintain(now: number): Promise<void> {
    if (now - this.lastPrune >= PRUNE_EVERY_MS) {
      this.lastPrune = now;
      const pruned = await this.store.prune(now - this.retentionMs());
      if (pruned > 0) this.logger.debug({ pruned }, 'alert history pruned (delivery.history_retention)');
    }
    if (this.store.trim && now - this.lastTrim >= TRIM_EVERY_MS) {
      this.lastTrim = now;
      const trimmed = await this.store.trim();
      if (trimmed > 0) {
        this.dropped?.inc({ reason: 'cap' }, trimmed);
        this.logger.info({ dropped: trimmed }, 'alert history reached storage.history_max_size; the oldest records were dropped');
      }
    }
  }
}
