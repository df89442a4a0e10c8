import { FakeWecom } from '../support/fake-wecom';
import { deliveredInstances, syntheticPayload } from '../support/synthetic-alerts';
import { startService, waitUntil, type ServiceProcess } from '../support/service-process';
import { slowDiskLibrary } from '../support/slow-disk';

/**
 * Issue 18: a slow disk (every fsync 50 ms longer, through an LD_PRELOAD shim) must not stall
 * `/healthz` or other requests, while every 200 still waits for its fsync. The real service process
 * runs on it: enqueues are synced on libuv's thread pool (storage/wal-sync.ts) and checkpoints on a
 * worker thread (storage/checkpointer.ts), so the event loop never waits for the disk.
 */
const FSYNC_MS = 50;
const ALERTS = { alertname: 'SlowDisk', prefix: 'disk', fingerprint: 'd' };

async function timed<T>(call: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await call();
  return { value, ms: performance.now() - started };
}

const post = (service: ServiceProcess, batch: number, perBatch = 2) =>
  fetch(`${service.url}/webhook/alertmanager`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(syntheticPayload(ALERTS, batch, perBatch)) }).then((res) => res.status);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

describe('a slow disk (fsync +50 ms)', () => {
  let fake: FakeWecom;
  let service: ServiceProcess;
  beforeAll(async () => {
    fake = await new FakeWecom().start();
    service = await startService({
      config: {
        wecom: { api_base: fake.url, timeout: '2s' },
        receivers: [{ name: 'ops', robot: { key: 'slow-disk-key', rate_limit: { count: 1000, per: '1s' } } }],
        route: { receiver: 'ops' },
        delivery: { dedup_window: '0s' },
        server: { log_level: 'warn' },
      },
      env: { LD_PRELOAD: slowDiskLibrary(), SLOW_FSYNC_MS: String(FSYNC_MS) },
    });
    // Warm up (a fresh process runs its request path unoptimized), so the figures below are the disk's.
    for (let i = 0; i < 5; i++) expect(await post(service, 10_000 + i)).toBe(200);
    expect(await Promise.all(Array.from({ length: 20 }, (_, i) => post(service, 20_000 + i)))).toEqual(Array(20).fill(200));
  }, 60_000);
  afterAll(async () => {
    await service?.cleanup();
    await fake?.stop();
  });

  it('a webhook is answered only after its fsync', async () => {
    const { value, ms } = await timed(() => post(service, 0));
    expect(value).toBe(200);
    // The shim is active and the 200 waited for the synced commit.
    expect(ms).toBeGreaterThanOrEqual(FSYNC_MS);
  });

  it('concurrent webhooks share fsyncs (group commit): 40 at once take a few fsyncs, not 40', async () => {
    const { value, ms } = await timed(() => Promise.all(Array.from({ length: 40 }, (_, i) => post(service, 100 + i))));
    expect(value.every((status) => status === 200)).toBe(true);
    // One fsync each would take ≥ 40 × 50 ms = 2 s; shared, it is a few fsyncs plus the CPU time.
    expect(ms).toBeLessThan(20 * FSYNC_MS);
  });

  it('/healthz keeps answering at once while webhooks wait for the disk, and everything is delivered', async () => {
    const healthz: number[] = [];
    let posting = true;
    const webhooks = (async () => {
      const statuses: number[] = [];
      for (let round = 0; round < 10; round++) statuses.push(...(await Promise.all(Array.from({ length: 10 }, (_, i) => post(service, 1000 + round * 10 + i)))));
      posting = false;
      return statuses;
    })();
    while (posting) {
      const { value, ms } = await timed(() => fetch(`${service.url}/healthz`).then((res) => res.status));
      expect(value).toBe(200);
      healthz.push(ms);
    }
    const statuses = await webhooks;
    expect(statuses.filter((status) => status === 200)).toHaveLength(100);
    // If a commit waited for its fsync on the event loop, every health check made during the 10
    // rounds would wait up to 50 ms behind one; they answer in the time an idle server takes.
    expect(healthz.length).toBeGreaterThanOrEqual(10);
    expect(percentile(healthz, 50)).toBeLessThan(FSYNC_MS / 5);
    expect(percentile(healthz, 90)).toBeLessThan(FSYNC_MS * 0.8);
    await waitUntil(() => deliveredInstances(fake, ALERTS).size === (5 + 20 + 1 + 40 + 100) * 2, 20_000, 'every alert delivered', () => service.output().slice(-2000));
  });
});
