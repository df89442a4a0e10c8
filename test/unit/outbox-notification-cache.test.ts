import type Redis from 'ioredis';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NotificationCache } from '../../src/outbox/notification-cache';
import { SqliteOutboxStore } from '../../src/outbox/sqlite-store';
import { RedisOutboxStore } from '../../src/outbox/redis-store';
import { UnreadableJobsError } from '../../src/outbox/decode-notification';
import type { EnqueueItem, OutboxStore } from '../../src/outbox/store';
import type { TextNotification } from '../../src/model/notification';
import { createRedis, waitReady } from '../../src/redis/client';
import { describeWithBinaries, startRedisServer, type RunningRedis } from '../support/real-binaries';

/**
 * Issue 18: pending() keeps decoded notifications of queued jobs in memory instead of re-reading and
 * re-parsing them on every drain. A cached read must return what an uncached read returns, and a
 * job that was killed, requeued, finished, deleted or rewritten in storage is never served from it.
 * "Served from the cache" is observed as object identity: a cache hit returns the same object.
 */
const T0 = Date.parse('2025-03-18T04:00:00Z');

function item(title: string): EnqueueItem {
  const notification: TextNotification = { kind: 'message', source: 'api', receiver: 'ops', template: 'message', title, content: `内容 ${title}`, labels: { team: '数据库' }, createdAt: new Date(T0).toISOString() };
  return { notification, dedupKey: `ops/${title}` };
}

/** The behaviour both stores share; `open` gives a second store on the same data (nothing cached). */
interface StoreUnderTest {
  store: () => OutboxStore;
  open: () => Promise<OutboxStore>;
  rewrite: (id: string, text: string) => Promise<void>;
  remove: (id: string) => Promise<void>;
}

function cacheContract(name: string, setup: () => Promise<StoreUnderTest>): void {
  describe(`${name}: cached pending()`, () => {
    let ctx: StoreUnderTest;
    beforeEach(async () => {
      ctx = await setup();
    });

    it('returns the same jobs and notifications as an uncached read, from the cache the second time', async () => {
      const store = ctx.store();
      await store.enqueue([item('a'), item('b'), item('c')], T0, 0);
      const first = await store.pending('ops', 10);
      await store.progress([{ id: first[0].id, offset: 0, partsSent: 1, done: false }], T0 + 1);
      await store.deferred([first[1].id], T0 + 5_000, 'errcode 45009');
      const cached = await store.pending('ops', 10);
      const fresh = await ctx.open();
      try {
        const uncached = await fresh.pending('ops', 10);
        expect(cached).toEqual(uncached);
        expect(cached.map((job) => [job.partsSent, job.attempts, job.nextAttemptAt, job.lastError])).toEqual([
          [1, 0, T0, undefined],
          [0, 1, T0 + 5_000, 'errcode 45009'],
          [0, 0, T0, undefined],
        ]);
        expect(cached[2].notification).toEqual(item('c').notification);
        cached.forEach((job, index) => expect(job.notification).toBe(first[index].notification)); // cache hits
        uncached.forEach((job, index) => expect(job.notification).not.toBe(first[index].notification));
      } finally {
        if (fresh !== store) await fresh.close();
      }
    });

    it('does not serve a killed job, and reads a requeued job from storage again', async () => {
      const store = ctx.store();
      await store.enqueue([item('a'), item('b')], T0, 0);
      const [a, b] = await store.pending('ops', 10);
      await store.kill([a.id], { reason: 'invalid_webhook', error: 'errcode 93000' }, T0 + 1);
      const afterKill = await store.pending('ops', 10);
      expect(afterKill.map((job) => job.id)).toEqual([b.id]);
      expect(afterKill[0].notification).toBe(b.notification);
      expect(await store.requeue(a.id, T0 + 2)).toEqual({ count: 1, receivers: ['ops'] });
      const requeued = await store.pending('ops', 10);
      expect(requeued.map((job) => job.id)).toEqual([a.id, b.id]);
      expect(requeued[0].notification).toEqual(item('a').notification);
      expect(requeued[0].notification).not.toBe(a.notification);
      // requeue 'all' drops the cached entries too.
      await store.kill([a.id, b.id], { reason: 'http_404', error: 'HTTP 404' }, T0 + 3);
      expect(await store.pending('ops', 10)).toEqual([]);
      expect((await store.requeue('all', T0 + 4)).count).toBe(2);
      const again = await store.pending('ops', 10);
      expect(again.map((job) => job.notification)).toEqual([item('a').notification, item('b').notification]);
      expect(again[0].notification).not.toBe(requeued[0].notification);
      expect(again[1].notification).not.toBe(requeued[1].notification);
    });

    it('does not serve a finished job or a job deleted from storage', async () => {
      const store = ctx.store();
      await store.enqueue([item('a'), item('b'), item('c')], T0, 0);
      const [a, b, c] = await store.pending('ops', 10);
      await store.progress([{ id: a.id, offset: 1, partsSent: 1, done: true }], T0 + 1);
      await ctx.remove(b.id);
      const left = await store.pending('ops', 10).catch((err: unknown) => (err instanceof UnreadableJobsError ? err : Promise.reject(err)));
      if (left instanceof UnreadableJobsError) {
        // Redis: a queued id whose hash is gone is reported (and quarantined by the worker).
        expect(left.jobs.map((job) => job.id)).toEqual([b.id]);
        await store.quarantine(left.jobs, T0 + 2);
      } else expect(left.map((job) => job.id)).toEqual([c.id]);
      const rest = await store.pending('ops', 10);
      expect(rest.map((job) => job.id)).toEqual([c.id]);
      expect(rest[0].notification).toBe(c.notification);
    });

    it('reads a cached job again when its stored text was rewritten (hand edit or damage)', async () => {
      const store = ctx.store();
      await store.enqueue([item('a'), item('b')], T0, 0);
      const [a, b] = await store.pending('ops', 10);
      const edited = { ...item('a').notification, title: 'a, edited by hand' };
      await ctx.rewrite(a.id, JSON.stringify(edited));
      await ctx.rewrite(b.id, '{"kind":"alerts","alerts":[{"status":"fir');
      const error = await store.pending('ops', 10).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(UnreadableJobsError);
      expect((error as UnreadableJobsError).jobs.map((job) => job.id)).toEqual([b.id]);
      await store.quarantine((error as UnreadableJobsError).jobs, T0 + 1);
      const [reread] = await store.pending('ops', 10);
      expect(reread.id).toBe(a.id);
      expect(reread.notification).toEqual(edited);
    });
  });
}

describe('NotificationCache', () => {
  const note = (title: string) => item(title).notification;

  it('evicts the least recently used entry beyond its entry bound', () => {
    const cache = new NotificationCache(2, 1_000);
    cache.set('1', note('a'), 10);
    cache.set('2', note('b'), 10);
    expect(cache.get('1', 10)).toEqual(note('a')); // 1 is now the most recently used
    cache.set('3', note('c'), 10);
    expect([cache.has('1'), cache.has('2'), cache.has('3')]).toEqual([true, false, true]);
    expect(cache.size).toBe(2);
  });

  it('evicts beyond its byte bound, and does not keep an entry larger than the bound', () => {
    const cache = new NotificationCache(100, 100);
    cache.set('1', note('a'), 60);
    cache.set('2', note('b'), 30);
    cache.set('3', note('c'), 30);
    expect([cache.has('1'), cache.has('2'), cache.has('3')]).toEqual([false, true, true]);
    cache.set('4', note('d'), 101);
    expect(cache.has('4')).toBe(false);
    cache.delete('2');
    cache.set('5', note('e'), 70);
    expect([cache.has('3'), cache.has('5')]).toEqual([true, true]);
  });

  it('drops an entry whose stored size no longer matches', () => {
    const cache = new NotificationCache();
    cache.set('1', note('a'), 10);
    expect(cache.get('1', 11)).toBeUndefined();
    expect(cache.has('1')).toBe(false);
  });
});

describe('SqliteOutboxStore notification cache', () => {
  let dir: string;
  let store: SqliteOutboxStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wecom-outbox-cache-'));
  });
  afterEach(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  cacheContract('SqliteOutboxStore', async () => {
    store = new SqliteOutboxStore(dir);
    return {
      store: () => store,
      // A second connection on the same file, as after a restart (WAL lets it read alongside).
      open: async () => new SqliteOutboxStore(dir),
      rewrite: async (id, text) => void store.database.prepare('UPDATE jobs SET notification = ? WHERE id = ?').run(text, Number(id)),
      remove: async (id) => void store.database.prepare('DELETE FROM jobs WHERE id = ?').run(Number(id)),
    };
  });
});

describeWithBinaries('RedisOutboxStore notification cache', ['redis-server'], (bins) => {
  let dir: string;
  let redis: RunningRedis;
  let client: Redis;
  const clients: Redis[] = [];
  let prefix = '';
  let n = 0;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wecom-outbox-cache-redis-'));
    redis = await startRedisServer(bins['redis-server'], dir);
    client = createRedis(redis.url);
    await waitReady(client);
  });
  afterAll(async () => {
    client.disconnect();
    await redis.proc.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.quit().catch(() => c.disconnect())));
  });
  const openStore = async () => {
    const connection = createRedis(redis.url);
    clients.push(connection);
    await waitReady(connection);
    return new RedisOutboxStore(connection, prefix);
  };
  cacheContract('RedisOutboxStore', async () => {
    prefix = `cache${++n}:`;
    const store = await openStore();
    return {
      store: () => store,
      open: openStore,
      rewrite: async (id, text) => void (await client.hset(`${prefix}job:${id}`, 'notification', text)),
      remove: async (id) => void (await client.del(`${prefix}job:${id}`)),
    };
  });
});
