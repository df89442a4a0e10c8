import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { openSqlite, type StorageProblem } from '../storage/sqlite-open';
import { closeConnection, leaveCheckpointsToThread, type Checkpointer } from '../storage/checkpointer';
import type { AlertStatus, SourceName } from '../model/alert';
import type { HistoryRecord, HistoryStore } from './history-store';
import { HISTORY_SCAN, historyMatches, type HistoryQuery, type HistorySearchResult } from './history-query';

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
-- each alert's last record (console "firing now"): one row per alert, not a scan of the history
CREATE TABLE IF NOT EXISTS alert_current (
  source TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  last_id INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  PRIMARY KEY (source, fingerprint)
);
CREATE INDEX IF NOT EXISTS alert_current_received ON alert_current (received_at);
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

/** Options of the history file (the service passes storage.history_max_size and repair). */
export interface HistoryStoreOptions {
  /** Cap on the bytes the history's rows may use (storage.history_max_size); `trim` enforces it. */
  maxBytes?: number;
  /** The service (holding the storage lock): a damaged history file is moved aside and started anew. */
  repair?: boolean;
}

/** The WAL is checkpointed after about this many pages (4 KiB each), and truncated to JOURNAL_LIMIT after. */
const WAL_AUTOCHECKPOINT_PAGES = 256;
const JOURNAL_LIMIT = 1024 * 1024;
/** After a trim the rows use at most this share of the cap, so trims are rare and batched. */
const TRIM_TO = 0.8;

export class SqliteHistoryStore implements HistoryStore {
  private db!: Database.Database;
  private statements!: ReturnType<typeof prepareStatements>;
  private readonly path: string;
  /** Runs this file's checkpoints off the event loop (the service); without it SQLite checkpoints inline. */
  private checkpointer?: Checkpointer;
  /** Damage found and dealt with when the file was opened (the service reports it at start). */
  readonly problems: StorageProblem[] = [];

  constructor(
    dir: string,
    fileName = 'history.sqlite',
    private readonly options: HistoryStoreOptions = {},
  ) {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, fileName);
    this.open();
  }

  /**
   * open (re)opens the file. History is best effort, so a malformed or empty file never stops the
   * service: with `repair` it is moved aside (reported) and a new one started.
   */
  private open(): void {
    const mode = this.options.repair ? 'move-aside' : 'refuse';
    const opened = openSqlite(this.path, { label: 'history', onEmpty: mode, onMalformed: mode }, (db) => {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('busy_timeout = 5000');
      // Keep the WAL small: it shares the disk with the outbox, which must never run out first.
      db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
      db.pragma(`journal_size_limit = ${JOURNAL_LIMIT}`);
      db.exec(SCHEMA);
    });
    this.problems.push(...opened.problems);
    this.db = opened.db;
    // Files written before alert_current existed: fill it once from the history.
    if (!this.db.prepare('SELECT 1 FROM alert_current LIMIT 1').get()) {
      this.db.exec('INSERT OR REPLACE INTO alert_current SELECT source, fingerprint, id, received_at FROM alert_history WHERE id IN (SELECT max(id) FROM alert_history GROUP BY source, fingerprint)');
    }
    this.statements = prepareStatements(this.db);
    if (this.checkpointer) leaveCheckpointsToThread(this.db);
  }

  async record(records: HistoryRecord[]): Promise<void> {
    if (records.length === 0) return;
    // One transaction for the whole batch (the recorder groups the webhooks of an event-loop turn).
    this.statements.recordAll(records);
  }

  async received(from: number, to: number): Promise<HistoryRecord[]> {
    return this.statements.received.all(from, to).map(toRecord);
  }

  async latest(since: number, to: number): Promise<HistoryRecord[]> {
    return this.statements.latest.all(since, to).map(toRecord);
  }

  async search(query: HistoryQuery): Promise<HistorySearchResult> {
    const records: HistoryRecord[] = [];
    let scanned = 0;
    for (const row of this.statements.newest.iterate(query.from ?? 0, query.to ?? Number.MAX_SAFE_INTEGER)) {
      if (scanned >= HISTORY_SCAN) return { records, scanned, truncated: true };
      scanned++;
      const record = toRecord(row);
      if (historyMatches(record, query)) records.push(record);
      if (records.length >= query.limit) break;
    }
    return { records, scanned, truncated: false };
  }

  async current(limit: number): Promise<HistoryRecord[]> {
    return this.statements.current.all(limit).map(toRecord);
  }

  async prune(before: number): Promise<number> {
    this.statements.pruneCurrent.run(before);
    return this.statements.prune.run(before).changes;
  }

  /**
   * trim enforces the size cap: when the rows use more than `maxBytes`, the oldest are deleted down
   * to TRIM_TO of it (freed pages are reused, so the file stops growing), and the WAL is
   * checkpointed and truncated. Returns how many records were dropped.
   */
  async trim(): Promise<number> {
    let dropped = 0;
    const maxBytes = this.options.maxBytes;
    const used = this.usedBytes();
    if (maxBytes !== undefined && used > maxBytes) {
      const range = this.db.prepare<[], { first: number | null; last: number | null }>('SELECT min(id) AS first, max(id) AS last FROM alert_history').get();
      if (range?.first != null && range.last != null) {
        // Ids only grow and pruning removes the oldest, so the rows are (nearly) the id range.
        const rows = range.last - range.first + 1;
        const cut = range.first + Math.ceil(rows * (1 - (TRIM_TO * maxBytes) / used));
        this.db.transaction(() => {
          dropped = this.db.prepare('DELETE FROM alert_history WHERE id < ?').run(cut).changes;
          this.db.prepare('DELETE FROM alert_current WHERE last_id < ?').run(cut);
        })();
      }
    }
    if (this.checkpointer) await this.checkpointer.checkpoint(this.path);
    else this.db.pragma('wal_checkpoint(TRUNCATE)');
    return dropped;
  }

  /** usedBytes: the pages that hold data (free pages inside the file are reused before it grows). */
  usedBytes(): number {
    const pageSize = this.db.pragma('page_size', { simple: true }) as number;
    const pages = (this.db.pragma('page_count', { simple: true }) as number) - (this.db.pragma('freelist_count', { simple: true }) as number);
    return pages * pageSize;
  }

  /**
   * release gives the history's disk space back at once (the outbox ran out of space): the files are
   * deleted — not emptied, which would itself need space on a full disk — and a new empty history
   * is started. Returns how many records were dropped.
   */
  /**
   * useCheckpointer moves this file's checkpoints (two fsyncs each) onto the checkpointer's thread:
   * SQLite's automatic checkpoint would run inside a history write, on the event loop.
   */
  useCheckpointer(checkpointer: Checkpointer): void {
    this.checkpointer = checkpointer;
    leaveCheckpointsToThread(this.db);
    checkpointer.watch(this.path);
  }

  async release(): Promise<number> {
    let dropped = 0;
    if (this.db.open) {
      try {
        dropped = (this.db.prepare('SELECT count(*) AS n FROM alert_history').get() as { n: number }).n;
      } catch {
        // unreadable: dropped anyway
      }
      closeConnection(this.db);
    }
    for (const suffix of ['', '-wal', '-shm']) rmSync(this.path + suffix, { force: true });
    this.open();
    return dropped;
  }

  async close(): Promise<void> {
    closeConnection(this.db);
  }
}

function prepareStatements(db: Database.Database) {
  const insert = db.prepare<[number, string, string, string, string, string, string, string | null, string]>(
    'INSERT INTO alert_history (received_at, source, name, severity, status, fingerprint, starts_at, ends_at, labels) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const upsertCurrent = db.prepare<[string, string, number | bigint, number]>(
    'INSERT INTO alert_current (source, fingerprint, last_id, received_at) VALUES (?, ?, ?, ?) ON CONFLICT (source, fingerprint) DO UPDATE SET last_id = excluded.last_id, received_at = excluded.received_at',
  );
  return {
    insert,
    recordAll: db.transaction((records: HistoryRecord[]) => {
      for (const record of records) {
        // Positional parameters: binding by name would copy each record into a parameter object first.
        const id = insert.run(record.receivedAt, record.source, record.name, record.severity, record.status, record.fingerprint, record.startsAt, record.endsAt ?? null, JSON.stringify(record.labels)).lastInsertRowid;
        upsertCurrent.run(record.source, record.fingerprint, id, record.receivedAt);
      }
    }),
    received: db.prepare<[number, number], Row>('SELECT * FROM alert_history WHERE received_at >= ? AND received_at < ? ORDER BY received_at, id'),
    latest: db.prepare<[number, number], Row>(
      `SELECT * FROM (
         SELECT *, row_number() OVER (PARTITION BY source, fingerprint ORDER BY received_at DESC, id DESC) AS rn
         FROM alert_history WHERE received_at >= ? AND received_at < ?
       ) WHERE rn = 1 ORDER BY received_at, id`,
    ),
    prune: db.prepare('DELETE FROM alert_history WHERE received_at < ?'),
    pruneCurrent: db.prepare('DELETE FROM alert_current WHERE received_at < ?'),
    upsertCurrent,
    newest: db.prepare<[number, number], Row>('SELECT * FROM alert_history WHERE received_at >= ? AND received_at < ? ORDER BY received_at DESC, id DESC'),
    current: db.prepare<[number], Row>('SELECT h.* FROM alert_current c JOIN alert_history h ON h.id = c.last_id ORDER BY c.received_at DESC, c.last_id DESC LIMIT ?'),
  };
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
