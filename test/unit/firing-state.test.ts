import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Redis from 'ioredis';
import { FIRING_STATE_TTL_MS, type FiringKey, type FiringStateStore } from '../../src/firing-state/firing-state-store';
import { RedisFiringStateStore } from '../../src/firing-state/redis-firing-state-store';
import { applyResolutionRule, needsKnownFiring, undoClaims } from '../../src/firing-state/resolution-rule';
import { SqliteFiringStateStore } from '../../src/firing-state/sqlite-firing-state-store';
import { SqliteOutboxStore } from '../../src/outbox/sqlite-store';
import { createRedis, waitReady } from '../../src/redis/client';
import { kibanaSource } from '../../src/sources/kibana';
import type { Alert } from '../../src/model/alert';
import { FIXED_NOW, loadFixture } from '../support/fixtures';
import { describeWithBinaries, startRedisServer, type RunningRedis } from '../support/real-binaries';

const NOW = FIXED_NOW;
const WATCH: FiringKey = { source: 'kibana', fingerprint: '1f0c8a7e5b3d2c19' };
const OTHER: FiringKey = { source: 'kibana', fingerprint: '77aa00bb11cc22dd' };

/** The contract both stores fulfil. */
function storeContract(open: () => FiringStateStore) {
  it('a resolution is claimed once per firing; unknown identities are not firing', async () => {
    const store = open();
    expect(await store.isFiring(WATCH, NOW)).toBe(false);
    expect(await store.claimResolution(WATCH, NOW)).toBe(false);
    await store.markFiring([WATCH], NOW);
    expect(await store.isFiring(WATCH, NOW + 1)).toBe(true);
    expect(await store.isFiring(OTHER, NOW + 1)).toBe(false);
    expect(await store.claimResolution(WATCH, NOW + 2)).toBe(true);
    expect(await store.claimResolution(WATCH, NOW + 3)).toBe(false);
    expect(await store.isFiring(WATCH, NOW + 4)).toBe(false);
  });

  it('keeps identities apart by source and fingerprint, and marks several at once', async () => {
    const store = open();
    await store.markFiring([WATCH, OTHER], NOW);
    expect(await store.claimResolution({ source: 'grafana', fingerprint: WATCH.fingerprint }, NOW)).toBe(false);
    expect(await store.claimResolution(OTHER, NOW)).toBe(true);
    expect(await store.isFiring(WATCH, NOW)).toBe(true);
  });

  it('repeated firing messages keep one record (one resolution delivered)', async () => {
    const store = open();
    for (let i = 0; i < 3; i++) await store.markFiring([WATCH], NOW + i * 300_000);
    expect(await store.claimResolution(WATCH, NOW + 1_000_000)).toBe(true);
    expect(await store.claimResolution(WATCH, NOW + 1_000_001)).toBe(false);
  });
}

describe('SqliteFiringStateStore (a table in the outbox file)', () => {
  let dir: string;
  const outboxes: SqliteOutboxStore[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wecom-firing-'));
  });
  afterEach(async () => {
    for (const outbox of outboxes.splice(0)) await outbox.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const open = () => {
    const outbox = new SqliteOutboxStore(dir);
    outboxes.push(outbox);
    return new SqliteFiringStateStore(outbox.database);
  };

  storeContract(open);

  it('survives closing and reopening the outbox (a restart)', async () => {
    await open().markFiring([WATCH], NOW);
    await outboxes.pop()!.close();
    const reopened = open();
    expect(await reopened.isFiring(WATCH, NOW + 60_000)).toBe(true);
    expect(await reopened.claimResolution(WATCH, NOW + 60_000)).toBe(true);
  });

  it('forgets a record not refreshed within the TTL (a watch deleted while firing)', async () => {
    const store = open();
    await store.markFiring([WATCH], NOW);
    expect(await store.isFiring(WATCH, NOW + FIRING_STATE_TTL_MS - 1)).toBe(true);
    expect(await store.claimResolution(WATCH, NOW + FIRING_STATE_TTL_MS)).toBe(false);
    await store.markFiring([WATCH], NOW + FIRING_STATE_TTL_MS);
    expect(await store.isFiring(WATCH, NOW + 2 * FIRING_STATE_TTL_MS - 1)).toBe(true);
  });
});

describeWithBinaries('RedisFiringStateStore (real redis-server)', ['redis-server'], (bins) => {
  let dir: string;
  let redis: RunningRedis;
  const clients: Redis[] = [];
  let prefix = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wecom-firing-redis-'));
    redis = await startRedisServer(bins['redis-server'], dir);
  });
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await redis?.proc.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const client = () => {
    const created = createRedis(redis.url);
    clients.push(created);
    return created;
  };
  beforeEach(async () => {
    prefix++;
    await waitReady(client());
  });
  const open = (redisClient = clients[0]) => new RedisFiringStateStore(redisClient, `test${prefix}:`);

  storeContract(() => open());

  it('records expire with the TTL in Redis itself', async () => {
    await open().markFiring([WATCH], NOW);
    const ttl = await clients[0].pttl(`test${prefix}:firing:kibana:${WATCH.fingerprint}`);
    expect(ttl).toBeGreaterThan(FIRING_STATE_TTL_MS - 60_000);
    expect(ttl).toBeLessThanOrEqual(FIRING_STATE_TTL_MS);
  });

  it('two replicas claiming the same resolution at once: exactly one wins', async () => {
    const replicaB = client();
    await waitReady(replicaB);
    await open().markFiring([WATCH], NOW);
    const results = await Promise.all([open().claimResolution(WATCH), open(replicaB).claimResolution(WATCH)]);
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});

describe('the resolution rule', () => {
  let dir: string;
  let outbox: SqliteOutboxStore;
  let store: FiringStateStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wecom-rule-'));
    outbox = new SqliteOutboxStore(dir);
    store = new SqliteFiringStateStore(outbox.database);
  });
  afterEach(async () => {
    await outbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const parse = (body: unknown): Alert[] => kibanaSource.parse(body, new Date(NOW)).alerts;
  const watcherFiring = () => parse(loadFixture('kibana-watcher-recommended.json'));
  const watcherResolved = () => parse({ ...loadFixture('kibana-watcher-recommended.json'), status: 'resolved', triggered_time: '2025-03-18T02:20:00.003Z' });

  it('applies to Watcher alerts (recommended body and raw ctx), not to Kibana rules', () => {
    expect(needsKnownFiring(watcherFiring()[0])).toBe(true);
    expect(needsKnownFiring(parse(loadFixture('kibana-watcher-ctx.json'))[0])).toBe(true);
    expect(needsKnownFiring(parse(loadFixture('kibana-rule-recovered.json'))[0])).toBe(false);
    const taggedRule = loadFixture('kibana-rule-recovered.json');
    taggedRule.rule.tags = 'watch_id:mysql_error_log_spike';
    const [rule] = parse(taggedRule);
    expect(rule.labels.watch_id).toBe('mysql_error_log_spike');
    expect(needsKnownFiring(rule)).toBe(false);
  });

  it('suppresses a Watcher resolution with no known firing, delivers the one after a firing, then suppresses again', async () => {
    expect(await applyResolutionRule(watcherResolved(), store, NOW)).toMatchObject({ alerts: [], suppressed: 1, claimed: [] });
    const firing = watcherFiring();
    expect(await applyResolutionRule(firing, store, NOW)).toEqual({ alerts: firing, suppressed: 0, claimed: [] });
    const resolved = watcherResolved();
    expect(await applyResolutionRule(resolved, store, NOW + 1)).toEqual({ alerts: resolved, suppressed: 0, claimed: [{ source: 'kibana', fingerprint: resolved[0].fingerprint }] });
    expect(await applyResolutionRule(watcherResolved(), store, NOW + 2)).toMatchObject({ alerts: [], suppressed: 1 });
  });

  it('watches with different metadata.dedup_key are different alerts', async () => {
    const disk = { ...loadFixture('kibana-watcher-recommended.json') };
    disk.metadata = { ...disk.metadata, dedup_key: 'disk' };
    await applyResolutionRule(parse(disk), store, NOW);
    expect(await applyResolutionRule(watcherResolved(), store, NOW)).toMatchObject({ suppressed: 1 });
    expect(await applyResolutionRule(parse({ ...disk, status: 'resolved' }), store, NOW)).toMatchObject({ suppressed: 0 });
  });

  it('passes Kibana rule recoveries through untouched (Kibana sends them only for active alerts)', async () => {
    const recovered = parse(loadFixture('kibana-rule-recovered.json'));
    expect(await applyResolutionRule(recovered, store, NOW)).toEqual({ alerts: recovered, suppressed: 0, claimed: [] });
  });

  it('undoClaims restores the firing record when the enqueue failed, so the retry is delivered', async () => {
    await applyResolutionRule(watcherFiring(), store, NOW);
    const { claimed } = await applyResolutionRule(watcherResolved(), store, NOW + 1);
    await undoClaims(claimed, store, NOW + 1);
    expect(await applyResolutionRule(watcherResolved(), store, NOW + 2)).toMatchObject({ suppressed: 0 });
  });

  it('propagates store errors (the service answers 503)', async () => {
    await outbox.close();
    await expect(applyResolutionRule(watcherResolved(), store, NOW)).rejects.toThrow(/not open/);
  });
});
