import type { AlertStatus } from '../model/alert';
import { matchesAll, type Matcher } from '../routing/matchers';
import type { HistoryRecord } from './history-store';

/**
 * HistoryQuery: the console's alert-history search. Both stores read newest first within the time
 * range, look at no more than HISTORY_SCAN records and stop at `limit` matches, so a search over a
 * long retention is bounded work; `scanned` and `truncated` tell the page when it stopped early.
 */
export const HISTORY_SCAN = 20_000;

export interface HistoryQuery {
  /** receivedAt range, ms since epoch, [from, to). */
  from?: number;
  to?: number;
  source?: string;
  status?: AlertStatus;
  /** Case-insensitive substring of the alert name. */
  name?: string;
  /** Alertmanager label matchers (all must hold). */
  matchers?: Matcher[];
  /** Keep only these fingerprints (e.g. the alerts a receiver's notifications carried). */
  fingerprints?: ReadonlySet<string>;
  limit: number;
}

export interface HistorySearchResult {
  records: HistoryRecord[];
  scanned: number;
  /** True when HISTORY_SCAN was reached before the range was exhausted. */
  truncated: boolean;
}

/** historyMatches applies the filters that are not the time range (shared by both stores). */
export function historyMatches(record: HistoryRecord, query: HistoryQuery): boolean {
  if (query.source && record.source !== query.source) return false;
  if (query.status && record.status !== query.status) return false;
  if (query.fingerprints && !query.fingerprints.has(record.fingerprint)) return false;
  if (query.name && !record.name.toLowerCase().includes(query.name.toLowerCase())) return false;
  return !query.matchers || matchesAll(query.matchers, { ...record.labels, alertname: record.labels.alertname ?? record.name });
}
