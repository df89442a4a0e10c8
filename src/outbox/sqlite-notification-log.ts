import type Database from 'better-sqlite3';
import type { Notification } from '../model/notification';
import { KEEP_SENT, matchesQuery, NOTIFICATION_SCAN, parseStored, summarize, summarizeStored, type NotificationEntry, type NotificationQuery, type NotificationSummary } from './notification-log';
import type { DeliveryRecord } from './store';

/**
 * SqliteNotificationLog: the console's queries over the SQLite outbox (jobs in every state and the
 * delivery records that carried them). Reads are bounded: a search looks at the newest
 * NOTIFICATION_SCAN job ids (primary-key range), attempts of one job at the kept delivery records.
 */
interface LogRow {
  id: number;
  receiver: string;
  state: string;
  summary: string | null;
  /** Only selected for rows written before summaries existed. */
  notification?: string | null;
  item_offset: number;
  parts_sent: number;
  parts_total: number | null;
  attempts: number;
  created_at: number;
  next_attempt_at: number;
  sending_since: number | null;
  last_error: string | null;
  errcode: number | null;
  reason: string | null;
  failed_at: number | null;
  finished_at: number | null;
}

/** A queued job's progress is in job_progress while it is delivered (sqlite-schema.ts): it overrides the job's own columns. */
const COLUMNS =
  'j.id, j.receiver, j.state, j.summary, coalesce(p.item_offset, j.item_offset) AS item_offset, coalesce(p.parts_sent, j.parts_sent) AS parts_sent, ' +
  'coalesce(p.parts_total, j.parts_total) AS parts_total, j.attempts, j.created_at, j.next_attempt_at, coalesce(p.sending_since, j.sending_since) AS sending_since, ' +
  'j.last_error, j.errcode, j.reason, j.failed_at, j.finished_at';
const LIST_COLUMNS = `${COLUMNS}, CASE WHEN j.summary IS NULL THEN j.notification END AS notification`;
const FROM = 'FROM jobs j LEFT JOIN job_progress p ON p.id = j.id';

export class SqliteNotificationLog {
  private readonly statements;

  constructor(private readonly db: Database.Database) {
    this.statements = {
      maxId: db.prepare<[], { id: number | null }>('SELECT max(id) AS id FROM jobs'),
      list: db.prepare<[number], LogRow>(`SELECT ${LIST_COLUMNS} ${FROM} WHERE j.id > ? ORDER BY j.id DESC`),
      listReceiver: db.prepare<[number, string], LogRow>(`SELECT ${LIST_COLUMNS} ${FROM} WHERE j.id > ? AND j.receiver = ? ORDER BY j.id DESC`),
      one: db.prepare<[number], LogRow & { notification: string }>(`SELECT ${COLUMNS}, j.notification ${FROM} WHERE j.id = ?`),
      // Sent: the progress row is folded into the job (parts planned) and dropped.
      finish: db.prepare(
        "UPDATE jobs SET state = 'sent', item_offset = ?, parts_sent = ?, sending_since = NULL, last_error = NULL, finished_at = ?, " +
          'parts_total = coalesce((SELECT parts_total FROM job_progress p WHERE p.id = jobs.id), parts_total) WHERE id = ?',
      ),
      dropProgress: db.prepare('DELETE FROM job_progress WHERE id = ?'),
      trimSent: db.prepare("DELETE FROM jobs WHERE state = 'sent' AND id <= (SELECT id FROM jobs WHERE state = 'sent' ORDER BY id DESC LIMIT 1 OFFSET ?)"),
      carriedProgress: db.prepare('UPDATE job_progress SET parts_total = ? WHERE id = ?'),
      carriedJob: db.prepare('UPDATE jobs SET parts_total = ? WHERE id = ?'),
      failedWith: db.prepare('UPDATE jobs SET errcode = ? WHERE id = ?'),
      attempts: db.prepare<[string, number], Record<string, unknown>>('SELECT * FROM deliveries WHERE jobs LIKE ? ORDER BY id DESC LIMIT ?'),
    };
  }

  /** summaryText is what enqueue stores beside the notification. */
  static summaryText(notification: Notification): string {
    return JSON.stringify(summarize(notification));
  }

  /** finish marks a delivered job `sent` (it leaves the queue, stays in the log). */
  finish(id: number, offset: number, partsSent: number, now: number): void {
    this.statements.finish.run(offset, partsSent, now, id);
    this.statements.dropProgress.run(id);
  }

  /** trim keeps the newest KEEP_SENT sent jobs. */
  trim(): void {
    this.statements.trimSent.run(KEEP_SENT);
  }

  /** carried notes, on each job a message carried, the parts planned and (on failure) the errcode. */
  carried(record: DeliveryRecord): void {
    for (const part of record.jobs ?? []) {
      const id = Number(part.id);
      // A job being delivered has its progress row (markSending wrote it); a job row is rewritten
      // only without one, and for a failure's errcode (rare).
      if (this.statements.carriedProgress.run(part.total, id).changes === 0) this.statements.carriedJob.run(part.total, id);
      if (record.status !== 'sent') this.statements.failedWith.run(record.errcode ?? null, id);
    }
  }

  list(query: NotificationQuery): NotificationEntry[] {
    const floor = (this.statements.maxId.get()?.id ?? 0) - NOTIFICATION_SCAN;
    const rows = query.receiver ? this.statements.listReceiver.iterate(floor, query.receiver) : this.statements.list.iterate(floor);
    const out: NotificationEntry[] = [];
    for (const row of rows) {
      const entry = toEntry(row);
      if (!matchesQuery(entry, query)) continue;
      out.push(entry);
      if (out.length >= query.limit) break;
    }
    return out;
  }

  one(id: string): (NotificationEntry & { notification?: Notification }) | undefined {
    if (!/^\d+$/.test(id)) return undefined;
    const row = this.statements.one.get(Number(id));
    return row && { ...toEntry(row), notification: parseStored(row.notification) };
  }

  attempts(id: string, limit: number): Record<string, unknown>[] {
    if (!/^\d+$/.test(id)) return [];
    return this.statements.attempts.all(`%"id":"${id}"%`, limit);
  }
}

function toEntry(row: LogRow): NotificationEntry {
  const summary: NotificationSummary = row.summary ? (JSON.parse(row.summary) as NotificationSummary) : summarizeStored(row.notification);
  return {
    id: String(row.id),
    receiver: row.receiver,
    state: row.state === 'dead' || row.state === 'sent' ? row.state : 'pending',
    summary,
    offset: row.item_offset,
    partsSent: row.parts_sent,
    partsTotal: row.parts_total ?? undefined,
    attempts: row.attempts,
    createdAt: row.created_at,
    nextAttemptAt: row.next_attempt_at,
    sendingSince: row.sending_since ?? undefined,
    lastError: row.last_error ?? undefined,
    errcode: row.errcode ?? undefined,
    reason: row.reason ?? undefined,
    failedAt: row.failed_at ?? undefined,
    finishedAt: row.finished_at ?? undefined,
  };
}
