import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { Notification } from '../model/notification';
import type { DeadLetter, DeliveryRecord, EnqueueItem, EnqueueResult, JobProgress, OutboxJob, OutboxStore } from './store';
import { PROGRESS_TABLE_SQL, SCHEMA_SQL } from './sqlite-schema';
import { openSqlite, outboxAdvice, type StorageProblem } from '../storage/sqlite-open';
import { deadLetterContent, decodeNotification, UnreadableJobsError, type UnreadableJob } from './decode-notification';
import type { NotificationEntry, NotificationQuery } from './notification-log';
import { SqliteNotificationLog } from './sqlite-notification-log';
import { SqliteDeliveryLog } from './sqlite-delivery-log';
import { NotificationCache } from './notification-cache';
import { WalSync } from '../storage/wal-sync';
import { closeConnection, leaveCheckpointsToThread, type Checkpointer } from '../storage/checkpointer';

/**
 * SqliteOutboxStore: the embedded, crash-safe outbox (better-sqlite3, WAL). An enqueue resolves only
 * after its transaction is on disk (WalSync: the WAL is fdatasync'd on libuv's thread pool, so the
 * event loop never waits for the disk), so an acknowledged webhook survives kill -9 and power loss
 * alike. Delivery bookkeeping does not wait for the disk: it survives a process crash (the write
 * reached the OS); only an OS crash or power loss can undo it, and then the worst case is a message
 * sent again (at least once), never one lost. One process owns the file.
 */
/** SET clause that folds a job's job_progress row (if any) back into its own columns. */
const FOLD_PROGRESS =
  'item_offset = coalesce((SELECT item_offset FROM job_progress p WHERE p.id = jobs.id), item_offset), ' +
  'parts_sent = coalesce((SELECT parts_sent FROM job_progress p WHERE p.id = jobs.id), parts_sent), ' +
  'parts_total = coalesce((SELECT parts_total FROM job_progress p WHERE p.id = jobs.id), parts_total)';
/** Notifications are cached at enqueue while the cache holds fewer entries than this. */
const ENQUEUE_CACHE_ENTRIES = 256;

/** A queued row without its notification text (pending reads these; the text only when not cached). */
interface PendingRow {
  id: number;
  receiver: string;
  item_offset: number;
  parts_sent: number;
  attempts: number;
  created_at: number;
  next_attempt_at: number;
  last_error: string | null;
  /** octet_length(notification): read from the record header, without reading the text itself. */
  bytes: number;
}

/** A whole row of the jobs table. */
interface JobRow extends Omit<PendingRow, 'bytes'> {
  notification: string;
  errcode: number | null;
  reason: string | null;
  failed_at: number | null;
}

export class SqliteOutboxStore implements OutboxStore {
  private readonly db: Database.Database;
  private readonly statements;
  private sentSinceTrim = 0;
  private readonly log: SqliteNotificationLog;
  /** Decoded notifications of queued jobs (they never change after enqueue), so drains do not re-parse them. */
  private readonly cache = new NotificationCache();
  /** Makes committed transactions durable off the event loop (absent for a read-only connection). */
  private readonly walSync?: WalSync;
  private readonly path: string;
  /** Sent messages; written with the progress that follows each send (sqlite-delivery-log.ts). */
  private readonly deliveries: SqliteDeliveryLog;
  /** Rows the running enqueue transaction inserted (cached once it commits). */
  private inserted: { id: string; notification: Notification; bytes: number }[] = [];
  /** enqueue calls waiting for the next group commit. */
  private enqueueCalls: { items: EnqueueItem[]; now: number; dedupWindowMs: number; resolve: (result: EnqueueResult) => void; reject: (err: unknown) => void }[] = [];

  /** Damage found and dealt with when the file was opened (reported by the service at start). */
  readonly problems: StorageProblem[];

  /**
   * database: this outbox's connection, for modules that keep their own table in the outbox file
   * (src/firing-state/) and so share its durability (`durable()` after their writes), its lock and its close.
   */
  get database(): Database.Database {
    return this.db;
  }

  /**
   * Opens `dir/fileName`. `repair` (the service, holding the storage lock): an empty or orphaned file
   * is moved aside and a new one started; without it (commands) such a file is refused. A malformed
   * file is always refused (DamagedStorageError) and left as it is. `readonly` inspects a file (a
   * moved-aside outbox) without writing it.
   */
  constructor(dir: string, fileName = 'outbox.sqlite', options: { repair?: boolean; readonly?: boolean } = {}) {
    const opened = openSqlite(join(dir, fileName), { label: 'outbox', readonly: options.readonly, onEmpty: options.repair ? 'move-aside' : 'refuse', onMalformed: 'refuse', advice: outboxAdvice }, (db) => {
      db.pragma('journal_mode = WAL');
      // NORMAL: commits do not fsync on the event loop; durability comes from WalSync (see above).
      db.pragma('synchronous = NORMAL');
      db.pragma('busy_timeout = 5000');
      db.exec(SCHEMA_SQL);
      migrate(db);
    });
    this.db = opened.db;
    this.problems = opened.problems;
    this.path = join(dir, fileName);
    if (options.readonly) {
      this.db.pragma('busy_timeout = 5000');
      // A file written before job_progress existed: an empty stand-in (temp tables are allowed read-only).
      if (!this.db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'job_progress'").get()) this.db.exec(PROGRESS_TABLE_SQL.replace('CREATE TABLE IF NOT EXISTS', 'CREATE TEMP TABLE'));
    }
    else this.walSync = new WalSync(`${this.path}-wal`);
    const db = this.db;
    this.log = new SqliteNotificationLog(db);
    this.deliveries = new SqliteDeliveryLog(db, this.log);
    this.statements = {
      dedupGet: db.prepare<[string, number], { key: string }>('SELECT key FROM dedup WHERE key = ? AND expires_at > ?'),
      dedupPut: db.prepare('INSERT OR REPLACE INTO dedup (key, expires_at) VALUES (?, ?)'),
      dedupPrune: db.prepare('DELETE FROM dedup WHERE expires_at <= ?'),
      insert: db.prepare('INSERT INTO jobs (receiver, notification, created_at, next_attempt_at, summary) VALUES (?, ?, ?, ?, ?)'),
      pending: db.prepare<[string, number], PendingRow>(
        "SELECT j.id, j.receiver, coalesce(p.item_offset, j.item_offset) AS item_offset, coalesce(p.parts_sent, j.parts_sent) AS parts_sent, j.attempts, j.created_at, j.next_attempt_at, j.last_error, octet_length(j.notification) AS bytes FROM jobs j LEFT JOIN job_progress p ON p.id = j.id WHERE j.state = 'pending' AND j.receiver = ? ORDER BY j.id LIMIT ?",
      ),
      notificationOf: db.prepare<[number], { notification: string }>('SELECT notification FROM jobs WHERE id = ?'),
      receivers: db.prepare<[], { receiver: string }>("SELECT DISTINCT receiver FROM jobs WHERE state = 'pending'"),
      // Progress and the in-flight mark go to job_progress (small rows); see sqlite-schema.ts.
      update: db.prepare(
        'INSERT INTO job_progress (id, item_offset, parts_sent, parts_total, sending_since) SELECT id, ?, ?, parts_total, NULL FROM jobs WHERE id = ? ' +
          'ON CONFLICT (id) DO UPDATE SET item_offset = excluded.item_offset, parts_sent = excluded.parts_sent, sending_since = NULL',
      ),
      clearError: db.prepare('UPDATE jobs SET last_error = NULL WHERE id = ? AND last_error IS NOT NULL'),
      markSending: db.prepare(
        'INSERT INTO job_progress (id, item_offset, parts_sent, parts_total, sending_since) SELECT id, item_offset, parts_sent, parts_total, ? FROM jobs WHERE id = ? ' +
          'ON CONFLICT (id) DO UPDATE SET sending_since = excluded.sending_since',
      ),
      clearSending: db.prepare("UPDATE job_progress SET sending_since = NULL WHERE sending_since IS NOT NULL AND id IN (SELECT id FROM jobs WHERE receiver = ? AND state = 'pending')"),
      // Marks written into the job row itself by versions before job_progress.
      clearLegacySending: db.prepare("UPDATE jobs SET sending_since = NULL WHERE receiver = ? AND state = 'pending' AND sending_since IS NOT NULL"),
      defer: db.prepare('UPDATE jobs SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?, sending_since = NULL WHERE id = ?'),
      deferProgress: db.prepare('UPDATE job_progress SET sending_since = NULL WHERE id = ?'),
      kill: db.prepare(
        "UPDATE jobs SET state = 'dead', attempts = attempts + 1, errcode = ?, reason = ?, last_error = ?, failed_at = ?, sending_since = NULL, " +
          `${FOLD_PROGRESS} WHERE id = ?`,
      ),
      dropProgress: db.prepare('DELETE FROM job_progress WHERE id = ?'),
      dead: db.prepare<[], JobRow>("SELECT * FROM jobs WHERE state = 'dead' ORDER BY id"),
      requeueOne: db.prepare("UPDATE jobs SET state = 'pending', attempts = 0, next_attempt_at = ?, created_at = ?, errcode = NULL, reason = NULL, failed_at = NULL, last_error = NULL WHERE id = ? AND state = 'dead' RETURNING id, receiver"),
      requeueAll: db.prepare("UPDATE jobs SET state = 'pending', attempts = 0, next_attempt_at = ?, created_at = ?, errcode = NULL, reason = NULL, failed_at = NULL, last_error = NULL WHERE state = 'dead' RETURNING id, receiver"),
      counts: db.prepare<[string], { receiver: string; n: number }>('SELECT receiver, count(*) AS n FROM jobs WHERE state = ? GROUP BY receiver'),
    };
  }

  /**
   * enqueue resolves once its items are committed and on disk. Calls made in the same event-loop turn
   * (concurrent webhooks) share one transaction, and every transaction committed while an fsync runs
   * shares the next one — group commit — so one fsync acknowledges them all instead of one each,
   * which capped ingest at ~1 / fsync latency.
   * Each call keeps its own result; if the shared transaction fails, every call is retried in its
   * own transaction so only a call that fails by itself is rejected.
   */
  enqueue(items: EnqueueItem[], now: number, dedupWindowMs: number): Promise<EnqueueResult> {
    return new Promise<EnqueueResult>((resolve, reject) => {
      if (this.enqueueCalls.push({ items, now, dedupWindowMs, resolve, reject }) === 1) setImmediate(() => this.commitEnqueues());
    });
  }

  private commitEnqueues(): void {
    const calls = this.enqueueCalls;
    this.enqueueCalls = [];
    if (calls.length === 0) return;
    const committed: { call: (typeof calls)[number]; result: EnqueueResult }[] = [];
    try {
      const results = this.inTransaction(() => calls.map((call) => this.insertItems(call.items, call.now, call.dedupWindowMs)));
      calls.forEach((call, index) => committed.push({ call, result: results[index] }));
    } catch {
      for (const call of calls) {
        try {
          committed.push({ call, result: this.inTransaction(() => this.insertItems(call.items, call.now, call.dedupWindowMs)) });
        } catch (err) {
          call.reject(err);
        }
      }
    }
    if (committed.length === 0) return;
    // Acknowledged only once on disk; enqueues committed while this sync runs share the next one.
    // A failed sync answers 503 although the rows are committed: the sender's retry may then be
    // deduplicated while the first copy is delivered — at least once, never lost.
    this.durable().then(
      () => committed.forEach(({ call, result }) => call.resolve(result)),
      (err: unknown) => committed.forEach(({ call }) => call.reject(err)),
    );
  }

  /**
   * durable resolves once every transaction committed so far is on disk (one shared fdatasync of the
   * WAL for all callers waiting at the same time). Used by enqueue, and by the firing state, which
   * shares this connection and its durability.
   */
  durable(): Promise<void> {
    return this.walSync ? this.walSync.sync() : Promise.resolve();
  }

  /**
   * useCheckpointer moves this file's WAL checkpoints (two fsyncs each) off the event loop onto the
   * checkpointer's thread: SQLite's automatic checkpoint would run inside a commit here.
   */
  useCheckpointer(checkpointer: Checkpointer): void {
    leaveCheckpointsToThread(this.db);
    // A WAL that stays its size is written in place, and its fdatasync then has no file metadata to
    // commit (truncating it at each restart made syncs wait for the file system's journal: tens of ms).
    // Only a spike (a 5 MB webhook) is given back.
    this.db.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
    checkpointer.watch(this.path);
  }

  /**
   * inTransaction runs enqueue inserts in one transaction; once it has committed, the notifications
   * it inserted go into the cache (the worker's first read then needs no decode: it was 5–10 % of a
   * webhook's CPU under load). Not before: the ids of a rolled-back insert are handed out again.
   */
  private inTransaction<T>(insert: () => T): T {
    this.inserted = [];
    try {
      const result = this.db.transaction(insert)();
      // Only while the cache is about a worker batch deep: a queue that drains keeps it that small, and
      // in a backlog the cached jobs are then the oldest, read next, not the newest.
      for (const row of this.inserted) if (this.cache.size < ENQUEUE_CACHE_ENTRIES) this.cache.set(row.id, row.notification, row.bytes);
      return result;
    } finally {
      this.inserted = [];
    }
  }

  private insertItems(items: EnqueueItem[], now: number, dedupWindowMs: number): EnqueueResult {
    const s = this.statements;
    const result: EnqueueResult = { queued: 0, deduplicated: 0, receivers: [], duplicateReceivers: [] };
    for (const item of items) {
      if (dedupWindowMs > 0 && s.dedupGet.get(item.dedupKey, now)) {
        result.deduplicated++;
        result.duplicateReceivers.push(item.notification.receiver);
        continue;
      }
      if (dedupWindowMs > 0) s.dedupPut.run(item.dedupKey, now + dedupWindowMs);
      const text = JSON.stringify(item.notification);
      const { lastInsertRowid } = s.insert.run(item.notification.receiver, text, now, now, SqliteNotificationLog.summaryText(item.notification));
      this.inserted.push({ id: String(lastInsertRowid), notification: item.notification, bytes: Buffer.byteLength(text) });
      result.queued++;
      if (!result.receivers.includes(item.notification.receiver)) result.receivers.push(item.notification.receiver);
    }
    if (Math.random() < 0.01) s.dedupPrune.run(now);
    return result;
  }

  /**
   * pending reads the queued rows' small columns; the notification text is read and decoded only
   * for rows not in the cache: SQLite then walks past the text's overflow pages without copying or
   * converting it, so a cached 5 MB job costs about what a small one does (measured ~0.1 ms vs ~5 ms
   * for `SELECT *`, before the JSON.parse this also saves).
   */
  async pending(receiver: string, limit: number): Promise<OutboxJob[]> {
    const jobs: OutboxJob[] = [];
    const unreadable: UnreadableJob[] = [];
    for (const row of this.statements.pending.all(receiver, limit)) {
      const id = String(row.id);
      try {
        jobs.push(toJob(row, this.notificationOf(id, row.bytes)));
      } catch (err) {
        unreadable.push({ id, receiver: row.receiver, error: (err as Error).message });
      }
    }
    if (unreadable.length > 0) throw new UnreadableJobsError(unreadable);
    return jobs;
  }

  /** notificationOf: a queued job's notification, from the cache or read and decoded (then cached). */
  private notificationOf(id: string, bytes: number): Notification {
    const cached = this.cache.get(id, bytes);
    if (cached) return cached;
    const row = this.statements.notificationOf.get(Number(id));
    if (!row) throw new Error('unreadable: the row disappeared while it was read');
    const notification = decodeNotification(row.notification);
    this.cache.set(id, notification, bytes);
    return notification;
  }

  async quarantine(jobs: UnreadableJob[], now: number): Promise<void> {
    jobs.forEach((job) => this.cache.delete(job.id));
    this.db.transaction(() =>
      jobs.forEach((job) => {
        this.statements.kill.run(null, 'unreadable', job.error, now, Number(job.id));
        this.statements.dropProgress.run(Number(job.id));
      }),
    )();
  }

  async receiversWithWork(): Promise<string[]> {
    return this.statements.receivers.all().map((row) => row.receiver);
  }

  async markSending(ids: string[], now: number): Promise<void> {
    this.db.transaction(() => ids.forEach((id) => this.statements.markSending.run(now, Number(id))))();
  }

  async recoverInterrupted(receiver: string): Promise<number> {
    return this.db.transaction(() => this.statements.clearSending.run(receiver).changes + this.statements.clearLegacySending.run(receiver).changes)();
  }

  async progress(updates: JobProgress[], now: number = Date.now()): Promise<void> {
    const s = this.statements;
    // Finished jobs leave the queue (kept as `sent` in the log): their cached notification goes.
    for (const update of updates) if (update.done) this.cache.delete(update.id);
    this.db.transaction(() => {
      this.deliveries.writeWaiting();
      for (const update of updates) {
        if (update.done) this.log.finish(Number(update.id), update.offset, update.partsSent, now);
        else {
          s.update.run(update.offset, update.partsSent, Number(update.id));
          s.clearError.run(Number(update.id));
        }
      }
    })();
    this.sentSinceTrim += updates.filter((update) => update.done).length;
    if (this.sentSinceTrim >= 100) {
      this.sentSinceTrim = 0;
      this.log.trim();
    }
  }

  async deferred(ids: string[], nextAttemptAt: number, error: string): Promise<void> {
    this.db.transaction(() => {
      this.deliveries.writeWaiting();
      ids.forEach((id) => {
        this.statements.defer.run(nextAttemptAt, error, Number(id));
        this.statements.deferProgress.run(Number(id));
      });
    })();
  }

  async kill(ids: string[], failure: { errcode?: number; reason: string; error: string }, now: number): Promise<void> {
    ids.forEach((id) => this.cache.delete(id));
    // Bookkeeping like progress: not waited for on disk (a power loss can only bring the job back
    // to be tried again). Resolving at once keeps "visible in the dead letters" and "counted" together.
    this.db.transaction(() => {
      this.deliveries.writeWaiting();
      ids.forEach((id) => {
        this.statements.kill.run(failure.errcode ?? null, failure.reason, failure.error, now, Number(id));
        this.statements.dropProgress.run(Number(id));
      });
    })();
  }

  async deadLetters(): Promise<DeadLetter[]> {
    return this.statements.dead.all().map((row) => ({
      id: String(row.id),
      receiver: row.receiver,
      ...deadLetterContent(row.notification),
      offset: row.item_offset,
      errcode: row.errcode ?? undefined,
      reason: row.reason ?? 'unknown',
      error: row.last_error ?? '',
      attempts: row.attempts,
      createdAt: row.created_at,
      failedAt: row.failed_at ?? row.created_at,
    }));
  }

  async requeue(id: string | 'all', now: number): Promise<{ count: number; receivers: string[] }> {
    const rows = (id === 'all' ? this.statements.requeueAll.all(now, now) : this.statements.requeueOne.all(now, now, Number(id))) as { id: number; receiver: string }[];
    // A dead job is not cached (kill drops it); dropped again in case it was read after, so the
    // requeued job is read from storage like any other.
    rows.forEach((row) => this.cache.delete(String(row.id)));
    await this.durable();
    return { count: rows.length, receivers: [...new Set(rows.map((row) => row.receiver))] };
  }

  async pendingCounts(): Promise<Record<string, number>> {
    return Object.fromEntries(this.statements.counts.all('pending').map((row) => [row.receiver, row.n]));
  }

  async deadCounts(): Promise<Record<string, number>> {
    return Object.fromEntries(this.statements.counts.all('dead').map((row) => [row.receiver, row.n]));
  }

  async recordDelivery(record: DeliveryRecord): Promise<void> {
    this.deliveries.add(record);
  }

  async recentDeliveries(limit: number): Promise<DeliveryRecord[]> {
    return this.deliveries.recent(limit);
  }

  async notifications(query: NotificationQuery): Promise<NotificationEntry[]> {
    this.deliveries.flush();
    return this.log.list(query);
  }

  async notification(id: string): Promise<(NotificationEntry & { notification?: Notification }) | undefined> {
    this.deliveries.flush();
    return this.log.one(id);
  }

  async deliveriesOf(id: string, limit: number): Promise<DeliveryRecord[]> {
    return this.deliveries.attemptsOf(id, limit);
  }

  async sendTimes(receiver: string, since: number): Promise<number[]> {
    return this.deliveries.sendTimes(receiver, since);
  }

  async writable(): Promise<boolean> {
    return this.probe(Date.now()).then(
      () => true,
      () => false,
    );
  }

  /**
   * probe commits one small row with the enqueue's durability (committed, then synced), so a full
   * disk, a read-only file, a corrupt page or a failing fsync fails it the way it would fail the next
   * webhook.
   */
  async probe(now: number): Promise<void> {
    if (!this.db.open) throw new Error('the outbox is closed');
    this.db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('write_probe', ?)").run(String(now));
    await this.durable();
  }

  async close(): Promise<void> {
    this.commitEnqueues(); // acknowledge (or reject) calls still waiting for their commit
    this.deliveries.flush();
    await this.walSync?.close(); // waits for the syncs those acknowledgements wait for
    closeConnection(this.db);
  }
}

/** migrate adds columns introduced after a data directory was created (schema changes are additive). */
function migrate(db: Database.Database): void {
  const columns = new Set((db.prepare('PRAGMA table_info(jobs)').all() as { name: string }[]).map((column) => column.name));
  if (!columns.has('sending_since')) db.exec('ALTER TABLE jobs ADD COLUMN sending_since INTEGER');
  for (const column of ['summary TEXT', 'parts_total INTEGER', 'finished_at INTEGER']) if (!columns.has(column.split(' ')[0])) db.exec(`ALTER TABLE jobs ADD COLUMN ${column}`);
  const deliveryColumns = new Set((db.prepare('PRAGMA table_info(deliveries)').all() as { name: string }[]).map((column) => column.name));
  if (!deliveryColumns.has('jobs')) db.exec('ALTER TABLE deliveries ADD COLUMN jobs TEXT');
}

function toJob(row: PendingRow, notification: Notification): OutboxJob {
  return {
    id: String(row.id),
    receiver: row.receiver,
    notification,
    offset: row.item_offset,
    partsSent: row.parts_sent,
    attempts: row.attempts,
    createdAt: row.created_at,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error ?? undefined,
  };
}
