import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import type { Alert } from '../model/alert';
import { historyRecords, type HistoryStore } from './history-store';

/**
 * HistoryRecorder records received alerts for digests, prunes what is older than
 * `delivery.history_retention` (at most every PRUNE_EVERY_MS) and keeps the history within
 * `storage.history_max_size` (trim, at most every TRIM_EVERY_MS). History is best effort and shares
 * the disk with the outbox: a failure never fails the webhook (whose notifications go to the outbox
 * next); it is counted in `wecom_adapter_history_dropped_total` and logged once until a write
 * succeeds again, so a full disk does not flood the log. A failure that looks like a full disk
 * gives the history's space back (release) so the outbox keeps accepting.
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

  async record(alerts: Alert[], now: number): Promise<void> {
    try {
      await this.store.record(historyRecords(alerts, now));
      if (this.failing) this.logger.info('alert history is recorded again');
      this.failing = undefined;
      await this.maintain(now);
    } catch (err) {
      this.dropped?.inc({ reason: 'write_failed' }, alerts.length);
      const text = String(err);
      if (this.failing !== text) this.logger.warn({ err: text }, 'could not record alerts in the history (digests will miss them); delivery is not affected; logged once until it works again');
      this.failing = text;
      if (isDiskFull(err)) await this.release('the history could not be written: the disk is full');
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
