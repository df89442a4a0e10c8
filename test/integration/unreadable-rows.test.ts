import type Redis from 'ioredis';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeWecom } from '../support/fake-wecom';
import { buildApp, robotConfig, type TestApp } from '../support/build-app';
import { notificationOf } from '../support/fixtures';
import { deliveredInstances, syntheticPayload } from '../support/synthetic-alerts';
import { describeWithBinaries, startRedisServer, type RunningRedis } from '../support/real-binaries';
import { waitUntil } from '../support/service-process';
import { alertmanagerSource } from '../../src/sources/alertmanager';
import { SqliteOutboxStore } from '../../src/outbox/sqlite-store';
import { createRedis, waitReady } from '../../src/redis/client';
import { deadLettersCommand } from '../../src/commands/dead-letters';

/**
 * Issue 16 item 2: one outbox row whose stored notification no longer parses (or no longer has the
 * shape delivery needs) must not stop its receiver. It goes to the dead letters with reason
 * `unreadable`, is counted and logged with its id, and the rows before and after it are delivered.
 * The rows are poisoned directly in storage (SQLite file, Redis hash), as damage or a hand edit would.
 */
const ALERTS = { alertname: 'PoisonTest', prefix: 'p', fingerprint: 'p' };

/** Four single-alert notifications for receiver ops (instances p-0-0 … p-3-0), queued in order. */
async function queueFour(t: TestApp): Promise<string[]> {
  const now = Date.now();
  for (let batch = 0; batch < 4; batch++) {
    const parsed = alertmanagerSource.parse(syntheticPayload(ALERTS, batch, 1), new Date());
    await t.service.store.enqueue([{ notification: notificationOf(parsed, 'ops'), dedupKey: `poison-${batch}` }], now, 0);
  }
  const jobs = await t.service.store.pending('ops', 10);
  expect(jobs).toHaveLength(4);
  return jobs.map((job) => job.id);
}

async function expectPoisonHandled(t: TestApp, fake: FakeWecom, poisoned: string[]): Promise<void> {
  await t.service.start();
  await waitUntil(() => deliveredInstances(fake, ALERTS).size === 2, 10_000, 'the two readable notifications', () => t.logs.join('').slice(-2000));
  expect([...deliveredInstances(fake, ALERTS).keys()].sort()).toEqual(['p-0-0', 'p-3-0']);
  await waitUntil(async () => (await t.service.store.deadLetters()).length === poisoned.length, 5_000, 'the dead letters');
  const letters = await t.service.store.deadLetters();
  expect(letters.map((letter) => letter.id).sort()).toEqual([...poisoned].sort());
  for (const letter of letters) {
    expect(letter.reason).toBe('unreadable');
    expect(letter.error).toMatch(/^unreadable: /);
    expect(letter.notification).toBeUndefined();
  }
  expect(await t.metricValue('wecom_adapter_outbox_unreadable_total', { receiver: 'ops' })).toBe(poisoned.length);
  expect(await t.metricValue('wecom_adapter_notifications_total', { receiver: 'ops', outcome: 'failed' })).toBe(poisoned.length);
  // The worker counts a send after WeCom answered, a moment after the fake recorded it.
  await t.waitForMetric('wecom_adapter_notifications_total', { receiver: 'ops', outcome: 'sent' }, 2);
  expect(await t.metricValue('wecom_adapter_notifications_total', { receiver: 'ops', outcome: 'sent' })).toBe(2);
  const errors = t.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.reason === 'unreadable');
  expect(errors.map((entry) => entry.id).sort()).toEqual([...poisoned].sort());
  for (const entry of errors) expect(entry.level).toBe(50); // pino error
  expect(t.logs.join('')).not.toContain('delivery loop failed');
  // The queue is empty, and a later webhook is delivered too.
  expect(await t.service.store.pending('ops', 10)).toEqual([]);
  expect((await t.service.ready()).ok).toBe(true);
}

describe('an unreadable outbox row (SQLite)', () => {
  let fake: FakeWecom;
  let t: TestApp;
  beforeEach(async () => {
    fake = await new FakeWecom().start();
  });
  afterEach(async () => {
    await t?.close();
    await fake.stop();
  });

  it('goes to the dead letters (reason unreadable, counted, logged with its id) and the rows before and after it are delivered', async () => {
    t = await buildApp(robotConfig(fake.url), { start: false });
    const [, second, third] = await queueFour(t);
    const db = (t.service.store as SqliteOutboxStore).database;
    db.prepare('UPDATE jobs SET notification = ? WHERE id = ?').run('{"kind":"alerts","alerts":[{"status":"fir', Number(second)); // truncated JSON
    db.prepare('UPDATE jobs SET notification = ? WHERE id = ?').run('{"kind":"alerts","receiver":"ops","source":"alertmanager","template":"alertmanager","alerts":"none"}', Number(third)); // parses, wrong shape
    await expectPoisonHandled(t, fake, [second, third]);
    const letters = await t.service.store.deadLetters();
    expect(letters.find((letter) => letter.id === third)!.error).toBe('unreadable: notification.alerts is not an array');

    // The dead-letters command lists them with their raw content.
    const out: string[] = [];
    expect(await deadLettersCommand({ config: undefined }, (line) => out.push(line), t.service.store)).toBe(0);
    const listing = out.join('\n');
    expect(listing).toContain('2 dead letter(s):');
    expect(listing).toMatch(new RegExp(`id ${second} · receiver ops .*\\(unreadable\\)`));
    expect(listing).toContain('stored content (cannot be read): {"kind":"alerts","alerts":[{"status":"fir');
  });
});

describeWithBinaries('an unreadable outbox row (Redis)', ['redis-server'], (bins) => {
  let fake: FakeWecom;
  let t: TestApp;
  let redis: RunningRedis;
  let client: Redis;
  let dir: string;
  beforeEach(async () => {
    fake = await new FakeWecom().start();
    dir = mkdtempSync(join(tmpdir(), 'wecom-poison-redis-'));
    redis = await startRedisServer(bins['redis-server'], dir);
    client = createRedis(redis.url);
    await waitReady(client);
  });
  afterEach(async () => {
    await t?.close();
    client.disconnect();
    await redis.proc.stop();
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a garbled job hash and a queued id whose hash is gone go to the dead letters; the rest is delivered', async () => {
    t = await buildApp(robotConfig(fake.url, {}, { storage: { redis: { url: redis.url, key_prefix: 'poison:', lease: '1s' } } }), { start: false });
    await waitUntil(() => t.service.store.writable(), 5_000, "the service's Redis connection");
    const [, second, third] = await queueFour(t);
    await client.hset(`poison:job:${second}`, 'notification', 'not json at all');
    await client.del(`poison:job:${third}`);
    await expectPoisonHandled(t, fake, [second, third]);
    const letters = await t.service.store.deadLetters();
    expect(letters.find((letter) => letter.id === third)!.error).toBe('unreadable: the job data is missing from Redis');
    expect(letters.find((letter) => letter.id === second)!.raw).toBe('not json at all');
  });
});
