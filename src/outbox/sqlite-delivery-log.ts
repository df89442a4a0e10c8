import type Database from 'better-sqlite3';
import type { DeliveryRecord } from './store';
import type { SqliteNotificationLog } from './sqlite-notification-log';

/**
 * SqliteDeliveryLog: the record of every message sent (or tried) in the SQLite outbox — the
 * console's history of exact bodies, and the send times that restore the rate-limit window after a
 * restart. The newest KEEP_DELIVERIES are kept.
 *
 * A record is not written when it is made: it goes into the transaction of the progress / deferred /
 * kill call that follows every send (one commit per sent message instead of two, and the record and
 * the job's progress become visible together), or on its own at the next event-loop turn when no
 * such call comes. Every read of deliveries writes the waiting ones first.
 */
const KEEP_DELIVERIES = 2000;

export class SqliteDeliveryLog {
  private readonly statements;
  private waiting: DeliveryRecord[] = [];
  private flushScheduled = false;
  private sinceTrim = 0;

  constructor(
    private readonly db: Database.Database,
    /** Notes on each job a message carried (parts planned, errcode). */
    private readonly jobs: SqliteNotificationLog,
  ) {
    this.statements = {
      insert: db.prepare(
        'INSERT INTO deliveries (at, receiver, source, msgtype, status, errcode, reason, error, alert_count, bytes, body, jobs) VALUES (@at, @receiver, @source, @msgtype, @status, @errcode, @reason, @error, @alertCount, @bytes, @body, @jobs)',
      ),
      trim: db.prepare('DELETE FROM deliveries WHERE id <= (SELECT max(id) FROM deliveries) - ?'),
      recent: db.prepare<[number], Record<string, unknown>>('SELECT * FROM deliveries ORDER BY id DESC LIMIT ?'),
      sendTimes: db.prepare<[string, number], { at: number }>('SELECT at FROM deliveries WHERE receiver = ? AND at >= ? ORDER BY at'),
    };
  }

  /** add queues a record for the next bookkeeping transaction (or the next turn). */
  add(record: DeliveryRecord): void {
    this.waiting.push(record);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /** flush writes the waiting records in a transaction of their own. */
  flush(): void {
    this.flushScheduled = false;
    if (this.waiting.length > 0 && this.db.open) this.db.transaction(() => this.writeWaiting())();
  }

  /** writeWaiting writes the waiting records inside the caller's transaction. */
  writeWaiting(): void {
    const records = this.waiting;
    if (records.length === 0) return;
    this.waiting = [];
    for (const record of records) {
      this.statements.insert.run({ ...record, errcode: record.errcode ?? null, reason: record.reason ?? null, error: record.error ?? null, jobs: record.jobs ? JSON.stringify(record.jobs) : null });
      this.jobs.carried(record);
    }
    if ((this.sinceTrim += records.length) >= 200) {
      this.sinceTrim = 0;
      this.statements.trim.run(KEEP_DELIVERIES);
    }
  }

  recent(limit: number): DeliveryRecord[] {
    this.flush();
    return this.statements.recent.all(limit).map(toDelivery);
  }

  sendTimes(receiver: string, since: number): number[] {
    this.flush();
    return this.statements.sendTimes.all(receiver, since).map((row) => row.at);
  }

  /** attemptsOf: the records that carried a job, newest first. */
  attemptsOf(id: string, limit: number): DeliveryRecord[] {
    this.flush();
    return this.jobs.attempts(id, limit).map(toDelivery);
  }
}

function toDelivery(row: Record<string, unknown>): DeliveryRecord {
  return {
    id: row.id as number,
    at: row.at as number,
    receiver: row.receiver as string,
    source: row.source as string,
    msgtype: row.msgtype as string,
    status: row.status as DeliveryRecord['status'],
    errcode: (row.errcode as number | null) ?? undefined,
    reason: (row.reason as string | null) ?? undefined,
    error: (row.error as string | null) ?? undefined,
    alertCount: row.alert_count as number,
    bytes: row.bytes as number,
    body: row.body as string,
    jobs: typeof row.jobs === 'string' ? (JSON.parse(row.jobs) as DeliveryRecord['jobs']) : undefined,
  };
}
