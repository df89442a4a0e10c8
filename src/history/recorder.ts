import type { Logger } from 'pino';
import type { Alert } from '../model/alert';
import { historyRecords, type HistoryStore } from './history-store';

/**
 * HistoryRecorder records received alerts for digests and prunes what is older than
 * `delivery.history_retention` (at most every PRUNE_EVERY_MS). History is best effort: a failure is
 * logged and never fails the webhook, whose notifications are already safe in the outbox path.
 */
const PRUNE_EVERY_MS = 10 * 60_000;

export class HistoryRecorder {
  private lastPrune = 0;

  constructor(
    readonly store: HistoryStore,
    private readonly logger: Logger,
    private readonly retentionMs: () => number,
  ) {}

  async record(alerts: Alert[], now: number): Promise<void> {
    try {
      await this.store.record(historyRecords(alerts, now));
      if (now - this.lastPrune >= PRUNE_EVERY_MS) {
        this.lastPrune = now;
        const pruned = await this.store.prune(now - this.retentionMs());
        if (pruned > 0) this.logger.debug({ pruned }, 'alert history pruned (delivery.history_retention)');
      }
    } catch (err) {
      this.logger.warn({ err: String(err) }, 'could not record alerts in the history (digests will miss them); delivery is not affected');
    }
  }
}
