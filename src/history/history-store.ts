import type { Alert, AlertStatus, SourceName } from '../model/alert';
import type { HistoryQuery, HistorySearchResult } from './history-query';

/**
 * The alert history: every alert the service receives (webhooks, at ingest, before routing and
 * dedup), kept for `delivery.history_retention` so digests can summarize a period (README
 * "Digests"). Separate from the outbox: losing history never loses a notification. Async like the
 * outbox store, so a networked implementation fits.
 */
export interface HistoryRecord {
  source: SourceName;
  name: string;
  severity: string;
  status: AlertStatus;
  fingerprint: string;
  labels: Record<string, string>;
  /** ISO 8601 instants as the source sent them. */
  startsAt: string;
  endsAt?: string;
  /** When the service received it (ms since epoch). */
  receivedAt: number;
}

export interface HistoryStore {
  /** record appends received alerts. */
  record(records: HistoryRecord[]): Promise<void>;
  /** received returns the records received in [from, to), oldest first. */
  received(from: number, to: number): Promise<HistoryRecord[]>;
  /** latest returns, per alert (source + fingerprint), its last record received in [since, to). */
  latest(since: number, to: number): Promise<HistoryRecord[]>;
  /** search returns matching records newest first, bounded (see HistoryQuery). */
  search(query: HistoryQuery): Promise<HistorySearchResult>;
  /** current returns each alert's last record (source + fingerprint), newest first, at most `limit`. */
  current(limit: number): Promise<HistoryRecord[]>;
  /** trim (local files): enforces storage.history_max_size and checkpoints the WAL; returns records dropped. */
  trim?(): Promise<number>;
  /** release (local files): drops the whole history to give its disk space to the outbox; returns records dropped. */
  release?(): Promise<number>;
  /** prune deletes records received before `before`; returns how many. */
  prune(before: number): Promise<number>;
  /**
   * claimRun (shared stores only): true for exactly one caller per digest name and scheduled run,
   * so with several replicas each scheduled digest is sent once.
   */
  claimRun?(name: string, at: number): Promise<boolean>;
  close(): Promise<void>;
}

/** historyRecords maps normalized alerts to history records. */
export function historyRecords(alerts: Alert[], receivedAt: number): HistoryRecord[] {
  return alerts.map((alert) => ({
    source: alert.source,
    name: alert.name,
    severity: alert.severity,
    status: alert.status,
    fingerprint: alert.fingerprint,
    labels: alert.labels,
    startsAt: alert.startsAt,
    endsAt: alert.endsAt,
    receivedAt,
  }));
}
