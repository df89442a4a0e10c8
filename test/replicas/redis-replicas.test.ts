import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeWecom } from '../support/fake-wecom';
import { deliveredInstances, postWebhook, syntheticPayload } from '../support/synthetic-alerts';
import { createRedis, waitReady } from '../../src/redis/client';
import { TokenCache } from '../../src/channels/token-cache';
import { RedisTokenStore } from '../../src/channels/redis-token-store';
import { describeWithBinaries } from '../support/real-binaries';
import { freePort, spawnManaged, startService, waitUntil, type ManagedProcess, type ServiceProcess } from '../support/service-process';

/**
 * Two replicas sharing Debian's redis-server (started here on a free loopback port) in front of one
 * fake robot that enforces WeCom's limit: one global rate limit, one dedup, no lost work when a
 * replica is killed, 503 while Redis is down.
 */
const WINDOW_MS = 1000;

const ALERTS = { alertname: 'ReplicaTest', prefix: 'r', fingerprint: 'r' };
const payload = (batch: number, perBatch: number) => syntheticPayload(ALERTS, batch, perBatch);
const deliveredCounts = (fake: FakeWecom) => deliveredInstances(fake, ALERTS);
const post = (service: ServiceProcess, body: unknown) => postWebhook(service.url, body);




describeWithBinaries('several replicas with Redis', ['redis-server'], (bins) => {
  let fake: FakeWecom;
  let redis: ManagedProcess;
  let redisPort: number;
  let dir: string;
  const replicas: ServiceProcess[] = [];

  const config = (prefix: string) => ({
    wecom: { api_base: fake.url, timeout: '2s' },
    storage: { redis: { url: `redis://127.0.0.1:${redisPort}/0`, key_prefix: `${prefix}:`, lease: '1500ms' } },
    delivery: { retry: { initial_backoff: '50ms', max_backoff: '500ms', rate_limited_backoff: '500ms' }, shutdown_grace: '1s' },
    receivers: [{ name: 'ops', robot: { key: 'replica-key', rate_limit: { count: 20, per: `${WINDOW_MS}ms` } } }],
    route: { receiver: 'ops' },
  });

  async function startRedis(): Promise<void> {
    redis = spawnManaged(bins['redis-server'], ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { name: 'redis-server' });
    await waitUntil(() => redis.output().includes('Ready to accept connections'), 10_000, 'redis-server ready', () => redis.output());
  }

  beforeEach(async () => {
    fake = await new FakeWecom({ robotLimit: { count: 20, perMs: WINDOW_MS } }).start();
    dir = mkdtempSync(join(tmpdir(), 'wecom-redis-'));
    redisPort = await freePort();
    await startRedis();
  });
  afterEach(async () => {
    for (const replica of replicas.splice(0)) await replica.cleanup();
    await redis.stop();
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function twoReplicas(prefix: string): Promise<[ServiceProcess, ServiceProcess]> {
    const [a, b] = await Promise.all([startService({ config: config(prefix) }), startService({ config: config(prefix) })]);
    replicas.push(a, b);
    return [a, b];
  }

  it('a storm split across two replicas: zero 45009, every alert exactly once', async () => {
    const [a, b] = await twoReplicas('storm');
    const statuses = await Promise.all(Array.from({ length: 60 }, (_, batch) => post(batch % 2 ? a : b, payload(batch, 10))));
    expect(statuses.every((status) => status === 200)).toBe(true);
    await waitUntil(() => deliveredCounts(fake).size === 600, 30_000, 'all 600 alerts', () => a.output().slice(-1500) + b.output().slice(-1500));
    expect(fake.sends().length - fake.accepted().length).toBe(0);
    expect([...deliveredCounts(fake).values()].every((n) => n === 1)).toBe(true);
    const times = fake.sends().map((send) => send.at).sort((x, y) => x - y);
    for (let i = 20; i < times.length; i++) expect(times[i] - times[i - 20]).toBeGreaterThanOrEqual(WINDOW_MS);
  }, 60_000);

  it('the same notification posted to both replicas (HA Alertmanager pair) is delivered once', async () => {
    const [a, b] = await twoReplicas('dedup');
    const body = payload(1, 3);
    expect(await Promise.all([post(a, body), post(b, { ...body, externalURL: 'http://127.0.0.1:9094' })])).toEqual([200, 200]);
    await waitUntil(() => deliveredCounts(fake).size === 3, 10_000, 'one delivery');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(fake.accepted()).toHaveLength(1);
  }, 30_000);

  it('kill -9 one replica mid-storm: the other takes over its work after the lease expires', async () => {
    const [a, b] = await twoReplicas('crash');
    const statuses = await Promise.all(Array.from({ length: 60 }, (_, batch) => post(a, payload(batch, 10))));
    expect(statuses.every((status) => status === 200)).toBe(true);
    await waitUntil(() => fake.accepted().length >= 2, 10_000, 'a few messages from replica A');
    await a.kill9();
    await waitUntil(() => deliveredCounts(fake).size === 600, 40_000, 'all 600 alerts via replica B', () => b.output().slice(-2000));
    expect(fake.sends().length - fake.accepted().length).toBe(0);
    expect([...deliveredCounts(fake).values()].every((n) => n >= 1)).toBe(true);
  }, 60_000);

  it('digests: shared history from both replicas, each scheduled run sent by exactly one replica', async () => {
    const withDigest = (prefix: string) => ({
      ...config(prefix),
      digests: [{ name: 'fast', receiver: 'ops', schedule: '*/2 * * * * *', period: '1h', send_empty: true }],
    });
    const [a, b] = await Promise.all([startService({ config: withDigest('digest') }), startService({ config: withDigest('digest') })]);
    replicas.push(a, b);
    expect(await post(a, payload(1, 2))).toBe(200);
    expect(await post(b, payload(2, 3))).toBe(200);
    const digests = () => fake.accepted().filter((send) => String(send.body?.markdown?.content ?? '').includes('告警 **'));
    await waitUntil(() => digests().some((send) => send.body.markdown.content.includes('告警 **5** 条')), 15_000, 'a digest counting the alerts of both replicas', () => a.output().slice(-1500));
    await waitUntil(() => digests().length >= 3, 15_000, 'three scheduled runs');
    const times = digests().map((send) => send.at);
    // A run sent by both replicas would arrive twice within milliseconds.
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThan(1000);
  }, 60_000);

  it('one token refresh per app at a time across replicas', async () => {
    const clients = [createRedis(`redis://127.0.0.1:${redisPort}/0`), createRedis(`redis://127.0.0.1:${redisPort}/0`)];
    try {
      await Promise.all(clients.map((client) => waitReady(client)));
      let gettokenCalls = 0;
      const fetcher = async () => {
        gettokenCalls++;
        await new Promise((resolve) => setTimeout(resolve, 100)); // a slow gettoken widens the race
        return { ok: true as const, answer: { errcode: 0, errmsg: 'ok', access_token: 'shared-token', expires_in: 7200 } };
      };
      const caches = clients.map((client) => new TokenCache({ store: new RedisTokenStore(client, 'tokens:') }));
      const tokens = await Promise.all(Array.from({ length: 20 }, (_, i) => caches[i % 2].get({ key: 'ww-corp/1000002', receiver: 'app' }, fetcher)));
      expect(new Set(tokens)).toEqual(new Set(['shared-token']));
      expect(gettokenCalls).toBe(1);
    } finally {
      clients.forEach((client) => client.disconnect());
    }
  });

  it('Redis down: webhooks answer 503 and /readyz reports it; back up: accepted again', async () => {
    const [a] = await twoReplicas('down');
    await redis.stop();
    await waitUntil(async () => (await fetch(`${a.url}/readyz`)).status === 503, 10_000, 'readyz 503');
    expect(await post(a, payload(1, 1))).toBe(503);
    await startRedis();
    await waitUntil(async () => (await post(a, payload(2, 1))) === 200, 15_000, 'accepted after Redis is back');
    await waitUntil(() => deliveredCounts(fake).has('r-2-0'), 10_000, 'delivery after Redis is back');
  }, 60_000);
});
