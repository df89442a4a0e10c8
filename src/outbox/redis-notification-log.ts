import type Redis from 'ioredis';
import type { ChainableCommander } from 'ioredis';
import type { Notification } from '../model/notification';
import { KEEP_SENT, matchesQuery, NOTIFICATION_SCAN, parseStored, summarizeStored, type NotificationEntry, type NotificationQuery, type NotificationSummary } from './notification-log';
import type { DeliveryRecord } from './store';

/**
 * RedisNotificationLog: the console's queries over the shared outbox. Every job id is indexed in the
 * `notifications` sorted set at enqueue (ENQUEUE script), delivered jobs stay as hashes with state
 * `sent` (indexed in `sent`, trimmed to KEEP_SENT), and each job keeps its own short list of the
 * delivery records that carried it, so a detail never scans the shared delivery list.
 */
const FIELDS = ['receiver', 'state', 'summary', 'offset', 'parts', 'partsTotal', 'attempts', 'created', 'next', 'sending', 'lastError', 'errcode', 'reason', 'failedAt', 'finishedAt'] as const;
/** Attempts kept per job, and how long they outlive the job's last send. */
const KEEP_ATTEMPTS = 50;
const ATTEMPTS_TTL_MS = 7 * 86_400_000;

export class RedisNotificationLog {
  constructor(
    private readonly redis: Redis,
    private readonly key: (...parts: string[]) => string,
  ) {}

  /** indexKey is the sorted set of every job id (KEYS[5] of ENQUEUE). */
  get indexKey(): string {
    return this.key('notifications');
  }

  /** finish queues, on `multi`, marking a delivered job `sent` (out of its queue, kept in the log). */
  finish(multi: ChainableCommander, id: string, receiver: string | null, offset: number, partsSent: number, now: number): void {
    if (receiver) multi.zrem(this.key('queue', receiver), id);
    multi.hset(this.key('job', id), 'state', 'sent', 'offset', String(offset), 'parts', String(partsSent), 'finishedAt', String(now));
    multi.hdel(this.key('job', id), 'sending', 'lastError');
    multi.zadd(this.key('sent'), Number(id), id);
  }

  /** trim deletes the oldest sent jobs beyond KEEP_SENT. */
  async trim(): Promise<void> {
    const excess = (await this.redis.zcard(this.key('sent'))) - KEEP_SENT;
    if (excess <= 0) return;
    const ids = await this.redis.zrange(this.key('sent'), 0, excess - 1);
    const multi = this.redis.multi();
    for (const id of ids) multi.del(this.key('job', id), this.key('job-deliveries', id));
    multi.zrem(this.key('sent'), ...ids);
    multi.zrem(this.indexKey, ...ids);
    await multi.exec();
  }

  /** carried queues, on `multi`, the parts planned and errcode on each job a message carried, and the attempt itself. */
  carried(multi: ChainableCommander, record: DeliveryRecord): void {
    const text = JSON.stringify({ ...record, id: record.at });
    for (const part of record.jobs ?? []) {
      const jobKey = this.key('job', part.id);
      multi.hset(jobKey, 'partsTotal', String(part.total));
      if (record.status !== 'sent') multi.hset(jobKey, 'errcode', record.errcode === undefined ? '' : String(record.errcode));
      const list = this.key('job-deliveries', part.id);
      multi.lpush(list, text).ltrim(list, 0, KEEP_ATTEMPTS - 1).pexpire(list, ATTEMPTS_TTL_MS);
    }
  }

  async list(query: NotificationQuery): Promise<NotificationEntry[]> {
    const ids = await this.redis.zrevrange(this.indexKey, 0, NOTIFICATION_SCAN - 1);
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hmget(this.key('job', id), ...FIELDS);
    const results = (await pipeline.exec()) ?? [];
    const out: NotificationEntry[] = [];
    for (let index = 0; index < ids.length && out.length < query.limit; index++) {
      const values = (results[index]?.[1] ?? []) as (string | null)[];
      if (!values[0]) continue; // trimmed meanwhile
      const fields = Object.fromEntries(FIELDS.map((name, i) => [name, values[i] ?? undefined])) as Record<string, string | undefined>;
      const entry = await toEntry(ids[index], fields, () => this.summaryOf(ids[index]));
      if (matchesQuery(entry, query)) out.push(entry);
    }
    return out;
  }

  async one(id: string): Promise<(NotificationEntry & { notification?: Notification }) | undefined> {
    const fields = await this.redis.hgetall(this.key('job', id));
    if (!fields.receiver) return undefined;
    return { ...(await toEntry(id, fields, async () => summarizeStored(fields.notification))), notification: parseStored(fields.notification) };
  }

  async attempts(id: string, limit: number): Promise<DeliveryRecord[]> {
    return (await this.redis.lrange(this.key('job-deliveries', id), 0, limit - 1)).map((text) => JSON.parse(text) as DeliveryRecord);
  }

  /** summaryOf: for a job written before summaries existed. */
  private async summaryOf(id: string): Promise<NotificationSummary> {
    return summarizeStored(await this.redis.hget(this.key('job', id), 'notification'));
  }
}

async function toEntry(id: string, fields: Record<string, string | undefined>, fallback: () => Promise<NotificationSummary>): Promise<NotificationEntry> {
  const number = (value: string | undefined) => (value === undefined || value === '' ? undefined : Number(value));
  return {
    id,
    receiver: fields.receiver!,
    state: fields.state === 'dead' || fields.state === 'sent' ? fields.state : 'pending',
    summary: fields.summary ? (JSON.parse(fields.summary) as NotificationSummary) : await fallback(),
    offset: number(fields.offset) ?? 0,
    partsSent: number(fields.parts) ?? 0,
    partsTotal: number(fields.partsTotal),
    attempts: number(fields.attempts) ?? 0,
    createdAt: number(fields.created) ?? 0,
    nextAttemptAt: number(fields.next) ?? 0,
    sendingSince: number(fields.sending),
    lastError: fields.lastError || undefined,
    errcode: number(fields.errcode),
    reason: fields.reason || undefined,
    failedAt: number(fields.failedAt),
    finishedAt: number(fields.finishedAt),
  };
}
