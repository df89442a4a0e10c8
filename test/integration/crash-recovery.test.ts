import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeWecom } from '../support/fake-wecom';
import { deliveredInstances, postWebhook, syntheticPayload } from '../support/synthetic-alerts';
import { startService, waitUntil, type ServiceProcess } from '../support/service-process';

/**
 * The real service process, killed with SIGKILL in the middle of a storm and restarted on the same
 * storage: every accepted alert is still delivered (at least once; a message in flight at the
 * moment of the kill may arrive twice, and is then counted). SIGTERM drains in-flight sends and
 * leaves the rest queued for the next start.
 */
const WINDOW_MS = 1000;

const ALERTS = { alertname: 'CrashTest', prefix: 'node', fingerprint: 'c' };
const payload = (batch: number, perBatch: number) => syntheticPayload(ALERTS, batch, perBatch);
const deliveredCounts = (fake: FakeWecom) => deliveredInstances(fake, ALERTS);
const post = (service: ServiceProcess, body: unknown) => postWebhook(service.url, body);




describe('crash recovery (real process)', () => {
  let fake: FakeWecom;
  let dir: string;
  const processes: ServiceProcess[] = [];
  const config = () => ({
    wecom: { api_base: fake.url, timeout: '2s' },
    delivery: { retry: { initial_backoff: '50ms', max_backoff: '500ms', rate_limited_backoff: '500ms' }, shutdown_grace: '2s' },
    receivers: [{ name: 'ops', robot: { key: 'crash-test-key', rate_limit: { count: 20, per: `${WINDOW_MS}ms` } } }],
    route: { receiver: 'ops' },
    server: { log_level: 'info' },
  });

  beforeEach(async () => {
    fake = await new FakeWecom({ robotLimit: { count: 20, perMs: WINDOW_MS } }).start();
    dir = mkdtempSync(join(tmpdir(), 'wecom-crash-'));
  });
  afterEach(async () => {
    for (const proc of processes.splice(0)) await proc.stop();
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('kill -9 mid-storm, restart on the same storage: every accepted alert is delivered', async () => {
    // Slow WeCom down a little so the storm is still draining when the process dies.
    fake.respond(() => undefined);
    const first = await startService({ config: config(), dir });
    processes.push(first);
    const statuses = await Promise.all(Array.from({ length: 100 }, (_, batch) => post(first, payload(batch, 10))));
    expect(statuses.every((status) => status === 200)).toBe(true);
    await waitUntil(() => fake.accepted().length >= 3, 10_000, 'a few messages before the crash');
    await first.kill9();
    const beforeCrash = deliveredCounts(fake).size;
    expect(beforeCrash).toBeLessThan(1000); // the crash really happened mid-storm

    const second = await startService({ config: config(), dir });
    processes.push(second);
    await waitUntil(() => deliveredCounts(fake).size === 1000, 30_000, 'all 1000 alerts after restart', () => second.output().slice(-2000));
    const counts = deliveredCounts(fake);
    const duplicated = [...counts.values()].filter((n) => n > 1).length;
    expect([...counts.values()].every((n) => n >= 1)).toBe(true);
    // Only the message in flight at the kill can repeat, and a repeat is announced and counted.
    const metrics = await (await fetch(`${second.url}/metrics`)).text();
    const counted = Number(/wecom_adapter_possible_duplicates_total\{receiver="ops"\} (\d+)/.exec(metrics)?.[1] ?? 0);
    if (duplicated > 0) expect(counted).toBeGreaterThan(0);
    expect(fake.sends().length - fake.accepted().length).toBe(0); // never a 45009, even across the restart
    console.log(`crash test: ${beforeCrash} alerts delivered before kill -9, ${duplicated} delivered twice, ${counted} notification(s) flagged as possible duplicates`);
  }, 60_000);

  it('SIGTERM: stops accepting, finishes the in-flight send, keeps the rest for the next start', async () => {
    const slowFirst = { ...config(), receivers: [{ name: 'ops', robot: { key: 'crash-test-key', rate_limit: { count: 1, per: '1h' } } }] };
    fake.replySequence('/webhook/send', [{ json: { errcode: 0, errmsg: 'ok' }, delayMs: 1000 }]);
    const first = await startService({ config: slowFirst, dir });
    processes.push(first);
    expect(await post(first, payload(0, 1))).toBe(200);
    await waitUntil(() => fake.sends().length === 1, 10_000, 'the first send to be in flight');
    for (let batch = 1; batch < 5; batch++) expect(await post(first, payload(batch, 1))).toBe(200);
    const exit = await first.stop(); // SIGTERM while the first send is still waiting for WeCom
    expect(exit.code).toBe(0);
    expect(first.output()).toContain('shutting down');
    expect(fake.accepted()).toHaveLength(1); // the in-flight send finished within shutdown_grace
    expect(deliveredCounts(fake).size).toBe(1);

    const second = await startService({ config: config(), dir });
    processes.push(second);
    await waitUntil(() => deliveredCounts(fake).size === 5, 15_000, 'the queued rest after restart', () => second.output().slice(-2000));
    expect([...deliveredCounts(fake).values()].every((n) => n === 1)).toBe(true);
    expect(second.output()).not.toContain('possible duplicate');
  }, 60_000);
});
