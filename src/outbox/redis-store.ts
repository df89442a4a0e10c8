import type Redis from 'ioredis';
import type { Notification } from '../model/notification';
import { ENQUEUE } from '../redis/scripts';
import { deadLetterContent, decodeNotification, UnreadableJobsError, type UnreadableJob } from './decode-notification';
import { summarize, type NotificationEntry, type NotificationQuery } from './notification-log';
import { RedisNotificationLog } from './redis-notification-log';
import { NotificationCache } from './notification-cache';
import type { DeadLetter, DeliveryRecord, EnqueueItem, EnqueueResult, JobProgress, OutboxJob, OutboxStore } from './store';

/**
 * RedisOutboxStore: the outbox shared by several replicas (storage.redis). Jobs are hashes, each
 * receiver's queue a sorted set by id (arrival order), dedup keys expire with the window, and the
 * send log per receiver is what every replica's rate limiter reads when it takes a receiver over.
 * Which replica drains a receiver is decided by leases (lease.ts), not here.
 */
const KEEP_DELIVERIES = 2000;
/** Send times older than this are dropped from the per-receiver send log. */
const SEND_LOG_MS = 86_400_000;
/** The job hash fields pending reads when the notification itself comes from the cache. */
const SMALL_FIELDS = ['receiver', 'state', 'offset', 'parts', 'attempts', 'created', 'next', 'lastError'] as const;

export class RedisOutboxStore implements OutboxStore {
  private readonly log: RedisNotificationLog;
  private sentSinceTrim = 0;
  /**
   * Decoded notifications of queued jobs (they never change after enqueue; ids are never reused).
   * Another replica's kill or requeue does not reach this cache, but that is safe: state and
   * progress are read from Redis on every pending call, and the stored text's size must match.
   */
  private readonly cache = new NotificationCache();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    this.log = new RedisNotificationLog(redis, (...parts) => this.key(...parts));
  }

  private key(...parts: string[]): string {
    return this.prefix + parts.join(':');
  }

  async enqueue(items: EnqueueItem[], now: number, dedupWindowMs: number): Promise<EnqueueResult> {
    const result: EnqueueResult = { queued: 0, deduplicated: 0, receivers: [], duplicateReceivers: [] };
    // Each item is enqueued atomically with its dedup check (one script call); a crash between
    // items is safe: the sender retries, done items are then duplicates and skipped.
    for (const item of items) {
      const receiver = item.notification.receiver;
      const id = (await this.redis.eval(
        ENQUEUE,
        5,
        this.key('dedup', item.dedupKey),
        this.key('seq'),
        this.key('queue', receiver),
        this.key('receivers'),
        this.log.indexKey,
        String(dedupWindowMs),
        String(now),
        receiver,
        JSON.stringify(item.notification),
        this.key('job', ''),
        JSON.stringify(summarize(item.notification)),
      )) as number;
      if (id === 0) {
        result.deduplicated++;
        result.duplicateReceivers.push(item.notification.receiver);
        continue;
      }
      result.queued++;
      if (!result.receivers.includes(receiver)) result.receivers.push(receiver);
    }
    return result;
  }

  async pending(receiver: string, limit: number): Promise<OutboxJob[]> {
    const ids = await this.redis.zrange(this.key('queue', receiver), 0, limit - 1);
    const rows = await this.pendingRows(ids);
    const jobs: OutboxJob[] = [];
    const unreadable: UnreadableJob[] = [];
    for (const { id, fields, bytes } of rows) {
      if (fields.state !== 'pending') continue;
      try {
        jobs.push(toJob(id, fields, await this.notificationOf(id, fields, bytes)));
      } catch (err) {
        unreadable.push({ id, receiver, error: (err as Error).message });
      }
    }
    // A queued id whose job hash is gone (evicted, deleted by hand) would otherwise look like an
    // empty queue forever: the rest of the receiver's queue would never be read. Ids still queued
    // after the read (not just finished by their sender) are reported as unreadable.
    const found = new Set(rows.map((row) => row.id));
    for (const id of ids.filter((queued) => !found.has(queued))) {
      if ((await this.redis.zscore(this.key('queue', receiver), id)) !== null && (await this.redis.exists(this.key('job', id))) === 0) {
        unreadable.push({ id, receiver, error: 'unreadable: the job data is missing from Redis' });
      }
    }
    if (unreadable.length > 0) throw new UnreadableJobsError(unreadable);
    return jobs;
  }

  /**
   * pendingRows reads queued jobs for pending: the small fields and the notification's size
   * (HSTRLEN) for cached jobs, the whole hash (5 MB for a 10,000-alert job) only for the others.
   */
  private async pendingRows(ids: string[]): Promise<{ id: string; fields: Record<string, string>; bytes: number }[]> {
    if (ids.length === 0) return [];
    const cached = ids.map((id) => this.cache.has(id));
    const pipeline = this.redis.pipeline();
    ids.forEach((id, index) => {
      const jobKey = this.key('job', id);
      if (cached[index]) pipeline.hmget(jobKey, ...SMALL_FIELDS);
      else pipeline.hgetall(jobKey);
      pipeline.hstrlen(jobKey, 'notification');
    });
    const results = (await pipeline.exec()) ?? [];
    const rows = ids.map((id, index) => {
      const value = results[2 * index]?.[1];
      const fields: Record<string, string> = {};
      if (cached[index]) {
        const values = (value ?? []) as (string | null)[];
        SMALL_FIELDS.forEach((field, at) => {
          const text = values[at];
          if (text !== null && text !== undefined) fields[field] = text;
        });
      } else Object.assign(fields, (value ?? {}) as Record<string, string>);
      return { id, fields, bytes: Number(results[2 * index + 1]?.[1] ?? 0) };
    });
    return rows.filter((row) => row.fields.receiver !== undefined);
  }

  /** notificationOf: a queued job's notification, from the cache or decoded (read again if dropped meanwhile). */
  private async notificationOf(id: string, fields: Record<string, string>, bytes: number): Promise<Notification> {
    const cached = this.cache.get(id, bytes);
    if (cached) return cached;
    const text = fields.notification ?? (await this.redis.hget(this.key('job', id), 'notification')) ?? '';
    const notification = decodeNotification(text);
    this.cache.set(id, notification, bytes);
    return notification;
  }

  async quarantine(jobs: UnreadableJob[], now: number): Promise<void> {
    jobs.forEach((job) => this.cache.delete(job.id));
    const multi = this.redis.multi();
    for (const job of jobs) {
      const jobKey = this.key('job', job.id);
      multi.zrem(this.key('queue', job.receiver), job.id);
      multi.zadd(this.key('dead'), Number(job.id), job.id);
      // A missing hash gets the fields a dead letter needs; an unreadable one keeps its raw text.
      multi.hsetnx(jobKey, 'created', String(now));
      multi.hsetnx(jobKey, 'notification', '');
      multi.hincrby(jobKey, 'attempts', 1);
      multi.hset(jobKey, 'receiver', job.receiver, 'state', 'dead', 'reason', 'unreadable', 'lastError', job.error, 'failedAt', String(now), 'errcode', '');
      multi.hdel(jobKey, 'sending');
    }
    await multi.exec();
  }

  async receiversWithWork(): Promise<string[]> {
    const receivers = await this.redis.smembers(this.key('receivers'));
    const sizes = await Promise.all(receivers.map((receiver) => this.redis.zcard(this.key('queue', receiver))));
    return receivers.filter((_, index) => sizes[index] > 0);
  }

  async markSending(ids: string[], now: number): Promise<void> {
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hset(this.key('job', id), 'sending', String(now));
    await pipeline.exec();
  }

  async recoverInterrupted(receiver: string): Promise<number> {
    const ids = await this.redis.zrange(this.key('queue', receiver), 0, -1);
    const rows = await this.jobs(ids);
    const interrupted = rows.filter((row) => row.fields.sending);
    if (interrupted.length > 0) {
      const pipeline = this.redis.pipeline();
      for (const row of interrupted) pipeline.hdel(this.key('job', row.id), 'sending');
      await pipeline.exec();
    }
    return interrupted.length;
  }

  async progress(updates: JobProgress[], now: number = Date.now()): Promise<void> {
    const multi = this.redis.multi();
    // Finished jobs leave the queue: their cached notification goes.
    for (const update of updates) if (update.done) this.cache.delete(update.id);
    for (const update of updates) {
      const jobKey = this.key('job', update.id);
      if (update.done) {
        this.log.finish(multi, update.id, await this.redis.hget(jobKey, 'receiver'), update.offset, update.partsSent, now);
      } else {
        multi.hset(jobKey, 'offset', String(update.offset), 'parts', String(update.partsSent));
        multi.hdel(jobKey, 'sending', 'lastError');
      }
    }
    await multi.exec();
    this.sentSinceTrim += updates.filter((update) => update.done).length;
    if (this.sentSinceTrim >= 100) {
      this.sentSinceTrim = 0;
      await this.log.trim();
    }
  }

  async deferred(ids: string[], nextAttemptAt: number, error: string): Promise<void> {
    const multi = this.redis.multi();
    for (const id of ids) {
      multi.hincrby(this.key('job', id), 'attempts', 1);
      multi.hset(this.key('job', id), 'next', String(nextAttemptAt), 'lastError', error);
      multi.hdel(this.key('job', id), 'sending');
    }
    await multi.exec();
  }

  async kill(ids: string[], failure: { errcode?: number; reason: string; error: string }, now: number): Promise<void> {
    ids.forEach((id) => this.cache.delete(id));
    const rows = await this.jobs(ids);
    const multi = this.redis.multi();
    for (const { id, fields } of rows) {
      const jobKey = this.key('job', id);
      multi.zrem(this.key('queue', fields.receiver), id);
      multi.zadd(this.key('dead'), Number(id), id);
      multi.hincrby(jobKey, 'attempts', 1);
      multi.hset(jobKey, 'state', 'dead', 'reason', failure.reason, 'lastError', failure.error, 'failedAt', String(now), 'errcode', failure.errcode === undefined ? '' : String(failure.errcode));
      multi.hdel(jobKey, 'sending');
    }
    await multi.exec();
  }

  async deadLetters(): Promise<DeadLetter[]> {
    const rows = await this.jobs(await this.redis.zrange(this.key('dead'), 0, -1));
    return rows.map(({ id, fields }) => ({
      id,
      receiver: fields.receiver,
      ...deadLetterContent(fields.notification ?? ''),
      offset: Number(fields.offset ?? 0),
      errcode: fields.errcode ? Number(fields.errcode) : undefined,
      reason: fields.reason ?? 'unknown',
      error: fields.lastError ?? '',
      attempts: Number(fields.attempts ?? 0),
      createdAt: Number(fields.created),
      failedAt: Number(fields.failedAt ?? fields.created),
    }));
  }

  async requeue(id: string | 'all', now: number): Promise<{ count: number; receivers: string[] }> {
    const ids = id === 'all' ? await this.redis.zrange(this.key('dead'), 0, -1) : (await this.redis.zscore(this.key('dead'), id)) !== null ? [id] : [];
    ids.forEach((requeued) => this.cache.delete(requeued));
    const rows = await this.jobs(ids);
    const multi = this.redis.multi();
    for (const row of rows) {
      const jobKey = this.key('job', row.id);
      multi.zrem(this.key('dead'), row.id);
      multi.hset(jobKey, 'state', 'pending', 'attempts', '0', 'next', String(now), 'created', String(now));
      multi.hdel(jobKey, 'errcode', 'reason', 'failedAt', 'lastError');
      multi.zadd(this.key('queue', row.fields.receiver), Number(row.id), row.id);
      multi.sadd(this.key('receivers'), row.fields.receiver);
    }
    await multi.exec();
    return { count: rows.length, receivers: [...new Set(rows.map((row) => row.fields.receiver))] };
  }

  async pendingCounts(): Promise<Record<string, number>> {
    const receivers = await this.redis.smembers(this.key('receivers'));
    const sizes = await Promise.all(receivers.map((receiver) => this.redis.zcard(this.key('queue', receiver))));
    return Object.fromEntries(receivers.map((receiver, index) => [receiver, sizes[index]]));
  }

  async deadCounts(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const letter of await this.deadLetters()) counts[letter.receiver] = (counts[letter.receiver] ?? 0) + 1;
    return counts;
  }

  async recordDelivery(record: DeliveryRecord): Promise<void> {
    const sendLog = this.key('sends', record.receiver);
    const multi = this.redis
      .multi()
      .lpush(this.key('deliveries'), JSON.stringify({ ...record, id: record.at }))
      .ltrim(this.key('deliveries'), 0, KEEP_DELIVERIES - 1)
      .zadd(sendLog, record.at, `${record.at}-${Math.random().toString(36).slice(2, 10)}`)
      .zremrangebyscore(sendLog, '-inf', record.at - SEND_LOG_MS);
    this.log.carried(multi, record);
    await multi.exec();
  }

  async recentDeliveries(limit: number): Promise<DeliveryRecord[]> {
    return (await this.redis.lrange(this.key('deliveries'), 0, limit - 1)).map((text) => JSON.parse(text) as DeliveryRecord);
  }

  async notifications(query: NotificationQuery): Promise<NotificationEntry[]> {
    return this.log.list(query);
  }

  async notification(id: string): Promise<(NotificationEntry & { notification?: Notification }) | undefined> {
    return this.log.one(id);
  }

  async deliveriesOf(id: string, limit: number): Promise<DeliveryRecord[]> {
    return this.log.attempts(id, limit);
  }

  async sendTimes(receiver: string, since: number): Promise<number[]> {
    const members = await this.redis.zrangebyscore(this.key('sends', receiver), since, '+inf', 'WITHSCORES');
    const times: number[] = [];
    for (let i = 1; i < members.length; i += 2) times.push(Number(members[i]));
    return times;
  }

  async writable(): Promise<boolean> {
    return this.probe(Date.now()).then(
      () => true,
      () => false,
    );
  }

  /** probe: one real write (Redis refuses writes when out of memory under noeviction, or read-only). */
  async probe(now: number): Promise<void> {
    await this.redis.set(this.key('write-probe'), String(now), 'PX', 60_000);
  }

  /** close ends the connection shared with leases and tokens; the service closes the store last. */
  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private async jobs(ids: string[]): Promise<{ id: string; fields: Record<string, string> }[]> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.key('job', id));
    const results = (await pipeline.exec()) ?? [];
    return ids.map((id, index) => ({ id, fields: (results[index]?.[1] ?? {}) as Record<string, string> })).filter((row) => row.fields.receiver !== undefined);
  }
}

function toJob(id: string, fields: Record<string, string>, notification: Notification): OutboxJob {
  return {
    id,
    receiver: fields.receiver,
    notification,
    offset: Number(fields.offset ?? 0),
    partsSent: Number(fields.parts ?? 0),
    attempts: Number(fields.attempts ?? 0),
    createdAt: Number(fields.created),
    nextAttemptAt: Number(fields.next),
    lastError: fields.lastError || undefined,
  };
}
