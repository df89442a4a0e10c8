import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { AlertStatus, SourceName } from '../model/alert';
import type { HistoryRecord, HistoryStore } from './history-store';

/**
 * SqliteHistoryStore keeps the alert history in its own file, `storage.path/history.sqlite` (WAL),
 * apart from the outbox: history writes need no `synchronous=FULL` (a lost last second of history
 * costs a digest line, not an alert), and the outbox file stays small and fast. The `digest` command
 * reads the same file while the service writes it (WAL readers do not block the writer).
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS alert_history (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  received_at INTEGER NOT NULL,
  source TEXT NOT NULL,
  name TEXT NOT NULL,
  severity TEXT NOT NULL,
  status TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  starts_at TEXT NOT NULL,
  ends_at TEXT,
  labels TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS alert_history_received ON alert_history (received_at);
CREATE INDEX IF NOT EXISTS alert_history_alert ON alert_history (source, fingerprint, received_at);
`;

interface Row {
  received_at: number;
  source: string;
  name: string;
  severity: string;
  status: string;
  fingerprint: string;
  starts_at: string;
  ends_at: string | null;
  labels: string;
}

export class SqliteHistoryStore implements HistoryStore {
  private readonly db: Database.Database;
  private readonly statements;

  constructor(dir: string, fileName = 'history.sqlite') {
    mkdirSync(dir, { recursive: true });
    this.db = new Database(join(dir, fileName));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    this.statements = {
      insert: this.db.prepare(
        'INSERT INTO alert_history (received_at, source, name, severity, status, fingerprint, starts_at, ends_at, labels) VALUES (@receivedAt, @source, @name, @severity, @status, @fingerprint, @startsAt, @endsAt, @labels)',
      ),
      received: this.db.prepare<[number, number], Row>('SELECT * FROM alert_history WHERE received_at >= ? AND received_at < ? ORDER BY received_at, id'),
      latest: this.db.prepare<[number, number], Row>(
        `SELECT * FROM (
           SELECT *, row_number() OVER (PARTITION BY source, fingerprint ORDER BY received_at DESC, id DESC) AS rn
           FROM alert_history WHERE received_at >= ? AND received_at < ?
         ) WHERE rn = 1 ORDER BY received_at, id`,
      ),
      prune: this.db.prepare('DELETE FROM alert_history WHERE received_at < ?'),
    };
  }

  async record(records: HistoryRecord[]): Promise<void> {
    if (records.length === 0) return;
    const insert = this.statements.insert;
    this.db.transaction(() => {
      for (const record of records) insert.run({ ...record, endsAt: record.endsAt ?? null, labels: JSON.stringify(record.labels) });
    })();
  }

  async received(from: number, to: number): Promise<HistoryRecord[]> {
    return this.statements.received.all(from, to).map(toRecord);
  }

  async latest(since: number, to: number): Promise<HistoryRecord[]> {
    return this.statements.latest.all(since, to).map(toRecord);
  }

  async prune(before: number): Promise<number> {
    return this.statements.prune.run(before).changes;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

function toRecord(row: Row): HistoryRecord {
  return {
    source: row.source as SourceName,
    name: row.name,
    severity: row.severity,
    status: row.status as AlertStatus,
    fingerprint: row.fingerprint,
    labels: JSON.parse(row.labels) as Record<string, string>,
    startsAt: row.starts_at,
    endsAt: row.ends_at ?? undefined,
    receivedAt: row.received_at,
  };
}
