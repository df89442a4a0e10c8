import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { Channel } from '../../src/channels/channel';
import { sendOk } from '../../src/channels/send-result';
import { validateConfig } from '../../src/config/load';
import { createMetrics } from '../../src/metrics';
import type { TextNotification } from '../../src/model/notification';
import { LocalLease } from '../../src/outbox/lease';
import { SlidingWindowLimiter } from '../../src/outbox/rate-limiter';
import { SqliteOutboxStore } from '../../src/outbox/sqlite-store';
import { DeliveryWorker } from '../../src/outbox/worker';
import { buildState } from '../../src/runtime-state';
import { TokenCache } from '../../src/channels/token-cache';

/**
 * A restarted process takes over a receiver on the storage a killed one left behind (kill -9 while
 * a message was on the wire: its jobs still marked `sending`, no delivery record). WeCom saw that
 * message, so the new process' rate-limit window must count it: otherwise its first send can be
 * the 21st in WeCom's window (45009). Jest's fake clock drives time; nothing here waits in real time.
 */
const T0 = Date.parse('2025-03-18T04:00:00Z');
const LIMIT = { count: 20, perMs: 60_000 };

describe('DeliveryWorker takeover after a crash', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wecom-takeover-'));
  });
  afterEach(() => {
    jest.useRealTimers();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts the send that was in flight at the kill in the reloaded window: never more than the limit in any window', async () => {
    // The killed process: 19 sends recorded, then a 20th marked `sending` that WeCom received (T0 - 1s) before the kill.
    const killed = new SqliteOutboxStore(dir);
    const notification: TextNotification = { kind: 'message', source: 'api', receiver: 'ops', template: 'message', title: 'disk', content: '磁盘使用率 91%', labels: {}, createdAt: new Date(T0 - 10_000).toISOString() };
    await killed.enqueue([{ notification, dedupKey: 'ops/disk' }], T0 - 10_000, 0);
    const recorded = Array.from({ length: 19 }, (_, i) => T0 - 5_000 + i * 100);
    for (const at of recorded) await killed.recordDelivery({ at, receiver: 'ops', source: 'api', msgtype: 'markdown', status: 'sent', alertCount: 1, bytes: 10, body: '{}' });
    const [job] = await killed.pending('ops', 1);
    await killed.markSending([job.id], T0 - 1_000);
    const seenByWecom = [...recorded, T0 - 1_000];
    await killed.close();
    // From here on the (fake) clock stands at T0 and moves only when the test advances it.
    jest.useFakeTimers({ now: T0 });

    // The restarted process on the same storage, at T0.
    const store = new SqliteOutboxStore(dir);
    const config = validateConfig({ receivers: [{ name: 'ops', robot: { key: 'takeover-key', rate_limit: { count: LIMIT.count, per: `${LIMIT.perMs}ms` } } }], route: { receiver: 'ops' }, storage: { path: dir } }, 'test.yaml', dir, {});
    const state = buildState({ config, source: join(dir, 'test.yaml'), baseDir: dir }, { tokens: new TokenCache() });
    const robot = state.channels.get('ops')!;
    const sends: number[] = [];
    const channel: Channel = {
      name: robot.name,
      kind: robot.kind,
      format: robot.format,
      rateLimit: robot.rateLimit,
      requestBody: (message) => robot.requestBody(message),
      secrets: () => robot.secrets(),
      send: async () => {
        sends.push(Date.now());
        return sendOk();
      },
    };
    const metrics = createMetrics(new Registry());
    const worker = new DeliveryWorker({
      store,
      limiter: new SlidingWindowLimiter(),
      metrics,
      logger: pino({ level: 'silent' }),
      clock: () => Date.now(),
      current: () => ({ ...state, channels: new Map([['ops', channel]]) }),
      lease: new LocalLease(),
    });
    await worker.start();
    await jest.advanceTimersByTimeAsync(2 * LIMIT.perMs);
    jest.useRealTimers();
    await worker.stop(0);
    await store.close();

    expect(sends).toHaveLength(1); // the interrupted job is sent again (at least once)…
    const all = [...seenByWecom, ...sends].sort((a, b) => a - b);
    const busiest = Math.max(...all.map((start) => all.filter((at) => at >= start && at < start + LIMIT.perMs).length));
    expect(busiest).toBeLessThanOrEqual(LIMIT.count); // …but never as the 21st message of a window
    expect(await metrics.registry.getSingleMetric('wecom_adapter_possible_duplicates_total')!.get()).toMatchObject({ values: [expect.objectContaining({ value: 1 })] });
  });
});
