import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteOutboxStore } from '../../src/outbox/sqlite-store';
import type { DeliveryRecord, EnqueueItem } from '../../src/outbox/store';
import type { TextNotification } from '../../src/model/notification';

const T0 = Date.parse('2025-03-18T04:00:00Z');
const WINDOW = 60_000;

function item(receiver: string, title: string, dedupKey = `${receiver}/${title}`): EnqueueItem {
  const notification: TextNotification = { kind: 'message', source: 'api', receiver, template: 'message', title, content: `内容 ${title}`, labels: {}, createdAt: new Date(T0).toISOString() };
  return { notification, dedupKey };
}

const titles = (jobs: { notification?: { kind: string } }[]) => jobs.map((job) => (job.notification as TextNotification).title);

function delivery(receiver: string, at: number, status: DeliveryRecord['status'] = 'sent'): DeliveryRecord {
  return { at, receiver, source: 'api', msgtype: 'markdown', status, alertCount: 1, bytes: 10, body: '{"msgtype":"markdown"}' };
}

describe('SqliteOutboxStore', () => {
  let dir: string;
  let store: SqliteOutboxStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wecom-outbox-'));
    store = new SqliteOutboxStore(dir);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('enqueues and returns pending jobs per receiver in arrival order, up to a limit', async () => {
    const result = await store.enqueue([item('ops', 'a'), item('dba', 'x'), item('ops', 'b'), item('ops', 'c')], T0, WINDOW);
    expect(result).toEqual({ queued: 4, deduplicated: 0, receivers: ['ops', 'dba'], duplicateReceivers: [] });
    const jobs = await store.pending('ops', 10);
    expect(titles(jobs)).toEqual(['a', 'b', 'c']);
    expect(jobs[0]).toMatchObject({ receiver: 'ops', offset: 0, partsSent: 0, attempts: 0, createdAt: T0, nextAttemptAt: T0, lastError: undefined });
    expect(jobs[0].notification).toEqual(item('ops', 'a').notification);
    expect(titles(await store.pending('ops', 2))).toEqual(['a', 'b']);
    expect(titles(await store.pending('dba', 10))).toEqual(['x']);
    expect(await store.pending('nobody', 10)).toEqual([]);
    expect((await store.receiversWithWork()).sort()).toEqual(['dba', 'ops']);
    expect(await store.pendingCounts()).toEqual({ ops: 3, dba: 1 });
  });

  it('drops a duplicate within the dedup window, in one batch or across batches, and accepts it after the window', async () => {
    expect(await store.enqueue([item('ops', 'a', 'k1'), item('ops', 'a', 'k1')], T0, WINDOW)).toEqual({ queued: 1, deduplicated: 1, receivers: ['ops'], duplicateReceivers: ['ops'] });
    expect(await store.enqueue([item('ops', 'a', 'k1')], T0 + WINDOW - 1, WINDOW)).toEqual({ queued: 0, deduplicated: 1, receivers: [], duplicateReceivers: ['ops'] });
    expect(await store.enqueue([item('ops', 'a', 'k1')], T0 + WINDOW, WINDOW)).toEqual({ queued: 1, deduplicated: 0, receivers: ['ops'], duplicateReceivers: [] });
    expect(await store.pendingCounts()).toEqual({ ops: 2 });
  });

  it('does not deduplicate with a window of 0', async () => {
    expect(await store.enqueue([item('ops', 'a', 'k1'), item('ops', 'a', 'k1')], T0, 0)).toEqual({ queued: 2, deduplicated: 0, receivers: ['ops'], duplicateReceivers: [] });
  });

  it("writes a message's delivery record in the same commit as its progress (one commit per sent message), and reads see it at once", async () => {
    await store.enqueue([item('ops', 'a')], T0, WINDOW);
    const [job] = await store.pending('ops', 10);
    const other = new Database(join(dir, 'outbox.sqlite'), { readonly: true });
    const version = () => other.pragma('data_version', { simple: true }) as number;
    const deliveries = () => (other.prepare('SELECT count(*) AS n FROM deliveries').get() as { n: number }).n;
    const before = version();
    await store.recordDelivery({ ...delivery('ops', T0 + 1), jobs: [{ id: job.id, part: 1, total: 1 }] });
    expect(deliveries()).toBe(0); // waiting for the progress that follows every send
    await store.progress([{ id: job.id, offset: 1, partsSent: 1, done: true }], T0 + 2);
    expect(deliveries()).toBe(1);
    expect(version()).toBe(before + 1); // one commit for both
    // Alone (no progress follows), a record is written at the next turn, or by any read of deliveries first.
    await store.recordDelivery(delivery('ops', T0 + 3));
    expect(await store.sendTimes('ops', T0)).toEqual([T0 + 1, T0 + 3]);
    await store.recordDelivery(delivery('ops', T0 + 4));
    await new Promise((resolve) => setImmediate(resolve));
    expect(deliveries()).toBe(3);
    other.close();
  });

  it('caches what it enqueued once committed (the first read decodes nothing), up to a worker batch', async () => {
    const cache = (store as unknown as { cache: { has(id: string): boolean; size: number } }).cache;
    await store.enqueue([item('ops', 'a'), item('ops', 'b')], T0, WINDOW);
    const jobs = await store.pending('ops', 10);
    expect(jobs.every((job) => cache.has(job.id))).toBe(true);
    await store.enqueue(Array.from({ length: 300 }, (_, i) => item('ops', `n${i}`)), T0, WINDOW);
    expect(cache.size).toBe(256); // the oldest queued, read next; the rest are read from storage when due
    expect(titles(await store.pending('ops', 400))).toHaveLength(302);
  });

  it('records progress, and removes jobs that are done', async () => {
    await store.enqueue([item('ops', 'a'), item('ops', 'b')], T0, WINDOW);
    const [a, b] = await store.pending('ops', 10);
    await store.progress([
      { id: a.id, offset: 0, partsSent: 0, done: true },
      { id: b.id, offset: 5, partsSent: 2, done: false },
    ]);
    const jobs = await store.pending('ops', 10);
    expect(jobs.map((job) => [job.id, job.offset, job.partsSent])).toEqual([[b.id, 5, 2]]);
  });

  it('defers failed jobs: attempts + 1, next attempt time and last error', async () => {
    await store.enqueue([item('ops', 'a'), item('ops', 'b')], T0, WINDOW);
    const [a] = await store.pending('ops', 10);
    await store.deferred([a.id], T0 + 5_000, 'errcode -1: busy');
    await store.deferred([a.id], T0 + 15_000, 'HTTP 502');
    const jobs = await store.pending('ops', 10);
    expect(jobs.map((job) => [titles([job])[0], job.attempts, job.nextAttemptAt, job.lastError])).toEqual([
      ['a', 2, T0 + 15_000, 'HTTP 502'],
      ['b', 0, T0, undefined],
    ]);
  });

  it('moves killed jobs to the dead letters and requeues one or all', async () => {
    await store.enqueue([item('ops', 'a'), item('ops', 'b'), item('dba', 'c')], T0, WINDOW);
    const [a, b] = await store.pending('ops', 10);
    const [c] = await store.pending('dba', 10);
    await store.deferred([a.id], T0 + 1_000, 'first try');
    await store.kill([a.id, b.id], { errcode: 93000, reason: 'invalid_webhook', error: 'errcode 93000: invalid key' }, T0 + 2_000);
    await store.kill([c.id], { reason: 'http_404', error: 'WeCom answered HTTP 404' }, T0 + 3_000);

    expect(titles(await store.pending('ops', 10))).toEqual([]);
    expect(await store.pendingCounts()).toEqual({});
    expect(await store.deadCounts()).toEqual({ ops: 2, dba: 1 });
    expect(await store.receiversWithWork()).toEqual([]);
    const dead = await store.deadLetters();
    expect(dead.map((letter) => ({ ...letter, notification: undefined }))).toEqual([
      { id: a.id, receiver: 'ops', notification: undefined, offset: 0, errcode: 93000, reason: 'invalid_webhook', error: 'errcode 93000: invalid key', attempts: 2, createdAt: T0, failedAt: T0 + 2_000 },
      { id: b.id, receiver: 'ops', notification: undefined, offset: 0, errcode: 93000, reason: 'invalid_webhook', error: 'errcode 93000: invalid key', attempts: 1, createdAt: T0, failedAt: T0 + 2_000 },
      { id: c.id, receiver: 'dba', notification: undefined, offset: 0, errcode: undefined, reason: 'http_404', error: 'WeCom answered HTTP 404', attempts: 1, createdAt: T0, failedAt: T0 + 3_000 },
    ]);
    expect(titles(dead)).toEqual(['a', 'b', 'c']);

    expect(await store.requeue(b.id, T0 + 10_000)).toEqual({ count: 1, receivers: ['ops'] });
    expect(await store.requeue(b.id, T0 + 10_000)).toEqual({ count: 0, receivers: [] }); // no longer dead
    expect(await store.requeue('999999', T0 + 10_000)).toEqual({ count: 0, receivers: [] });
    const requeued = await store.pending('ops', 10);
    expect(requeued.map((job) => [job.id, job.attempts, job.createdAt, job.nextAttemptAt])).toEqual([[b.id, 0, T0 + 10_000, T0 + 10_000]]);

    const all = await store.requeue('all', T0 + 20_000);
    expect(all.count).toBe(2);
    expect(all.receivers.sort()).toEqual(['dba', 'ops']);
    expect(await store.deadLetters()).toEqual([]);
    expect(titles(await store.pending('ops', 10))).toEqual(['a', 'b']);
    expect(await store.pendingCounts()).toEqual({ ops: 2, dba: 1 });
  });

  it('records deliveries, returns the most recent first, and answers send times since an instant', async () => {
    await store.recordDelivery(delivery('ops', T0));
    await store.recordDelivery({ ...delivery('ops', T0 + 1_000, 'dead'), errcode: 93000, reason: 'invalid_webhook', error: 'bad key' });
    await store.recordDelivery(delivery('dba', T0 + 2_000));
    await store.recordDelivery(delivery('ops', T0 + 3_000));
    const recent = await store.recentDeliveries(2);
    expect(recent.map((record) => [record.receiver, record.at])).toEqual([
      ['ops', T0 + 3_000],
      ['dba', T0 + 2_000],
    ]);
    expect((await store.recentDeliveries(10))[2]).toEqual({ id: 2, ...delivery('ops', T0 + 1_000, 'dead'), errcode: 93000, reason: 'invalid_webhook', error: 'bad key' });
    expect((await store.recentDeliveries(10))[3]).toEqual({ id: 1, ...delivery('ops', T0), errcode: undefined, reason: undefined, error: undefined });
    expect(await store.sendTimes('ops', T0 + 1_000)).toEqual([T0 + 1_000, T0 + 3_000]);
    expect(await store.sendTimes('ops', T0)).toEqual([T0, T0 + 1_000, T0 + 3_000]);
    expect(await store.sendTimes('dba', T0 + 2_001)).toEqual([]);
  });

  it('trims the delivery log to the most recent 2000 records', async () => {
    for (let i = 1; i <= 2200; i++) await store.recordDelivery(delivery('ops', T0 + i));
    const all = await store.recentDeliveries(5000);
    expect(all).toHaveLength(2000);
    expect(all[0].at).toBe(T0 + 2200);
    expect(all[all.length - 1].at).toBe(T0 + 201);
  });

  it('is writable while open and not after close', async () => {
    expect(await store.writable()).toBe(true);
    await store.close();
    expect(await store.writable()).toBe(false);
  });

  it('keeps pending work, progress, dead letters and dedup state when the file is reopened', async () => {
    await store.enqueue([item('ops', 'a', 'k-a'), item('ops', 'b', 'k-b'), item('dba', 'c', 'k-c')], T0, WINDOW);
    const [a, b] = await store.pending('ops', 10);
    const [c] = await store.pending('dba', 10);
    await store.progress([{ id: a.id, offset: 3, partsSent: 1, done: false }]);
    await store.deferred([b.id], T0 + 9_000, 'HTTP 503');
    await store.kill([c.id], { errcode: 60020, reason: 'untrusted_ip', error: 'ip' }, T0 + 1);
    await store.recordDelivery(delivery('ops', T0 + 5));
    await store.close();

    const reopened = new SqliteOutboxStore(dir);
    try {
      const jobs = await reopened.pending('ops', 10);
      expect(jobs.map((job) => [job.id, titles([job])[0], job.offset, job.partsSent, job.attempts, job.nextAttemptAt])).toEqual([
        [a.id, 'a', 3, 1, 0, T0],
        [b.id, 'b', 0, 0, 1, T0 + 9_000],
      ]);
      expect(await reopened.receiversWithWork()).toEqual(['ops']);
      expect((await reopened.deadLetters()).map((letter) => [letter.id, letter.errcode])).toEqual([[c.id, 60020]]);
      expect(await reopened.sendTimes('ops', 0)).toEqual([T0 + 5]);
      expect(await reopened.enqueue([item('ops', 'a', 'k-a')], T0 + 1_000, WINDOW)).toEqual({ queued: 0, deduplicated: 1, receivers: [], duplicateReceivers: ['ops'] });
      // ids keep increasing: a new job sorts after the old ones
      await reopened.enqueue([item('ops', 'd', 'k-d')], T0 + 1_000, WINDOW);
      expect(titles(await reopened.pending('ops', 10))).toEqual(['a', 'b', 'd']);
    } finally {
      await reopened.close();
    }
  });
});
