import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { FakeWecom } from '../support/fake-wecom';
import { parseMarkdownMessage } from '../support/markdown-message';
import { buildApp, robotConfig, type TestApp } from '../support/build-app';
import { loadWatch, WatcherSimulator, type WatcherRequest } from '../support/watcher-run';
import { describeWithBinaries, startRedisServer, type RunningRedis } from '../support/real-binaries';

/**
 * Elasticsearch Watcher's two-action pattern (examples/watcher/watch-with-resolve.json, payloads.md
 * §4.2): condition `always`, a firing action when hits > 20, a resolved action (unthrottled) on
 * every healthy run. Bodies are rendered from the published watch as Watcher renders them
 * (test/support/watcher-run.ts). Through the real app and its SQLite storage: only a resolution of
 * an alert known to be firing is delivered, and that knowledge survives a restart.
 */
const WATCH_ID = 'mysql_error_log_spike';
const START = Date.parse('2026-12-01T02:00:00Z');
const RUN_EVERY = 5 * 60_000;

describe('Watcher two-action pattern: resolutions only for alerts known to be firing', () => {
  let fake: FakeWecom;
  let dir: string;
  let t: TestApp | undefined;
  const watcher = new WatcherSimulator(loadWatch('watch-with-resolve.json'), WATCH_ID);
  let run = 0;

  beforeAll(async () => {
    fake = await new FakeWecom().start();
    dir = mkdtempSync(join(tmpdir(), 'wecom-watcher-'));
  });
  afterAll(async () => {
    await t?.close();
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const open = async () => {
    t = await buildApp(robotConfig(fake.url), { dir });
  };

  /** execute runs the watch once (the next 5-minute tick) and posts what its actions send. */
  async function execute(hitsTotal: number): Promise<{ requests: WatcherRequest[]; answers: Record<string, unknown>[] }> {
    const requests = watcher.run(new Date(START + run++ * RUN_EVERY), hitsTotal);
    const answers: Record<string, unknown>[] = [];
    for (const sent of requests) {
      const res = await request(t!.app).post('/webhook/kibana').set('Content-Type', 'application/json').send(sent.body);
      expect({ status: res.status, body: res.body }).toMatchObject({ status: 200 });
      answers.push(res.body as Record<string, unknown>);
    }
    return { requests, answers };
  }

  const suppressedTotal = () => t!.metricValue('wecom_adapter_resolutions_suppressed_total', { source: 'kibana' });
  /** said is what accepted message #index says: its title and the status of each alert it lists. */
  const said = (index: number) => statusesOf(String(fake.accepted()[index].body.markdown.content));

  it('healthy runs of a watch that never fired deliver nothing, and are counted', async () => {
    await open();
    expect(await suppressedTotal()).toBe(0);
    for (let i = 0; i < 3; i++) {
      const { requests, answers } = await execute(4);
      expect(requests.map((sent) => sent.action)).toEqual(['notify_wecom_resolved']);
      expect(JSON.parse(requests[0].body).status).toBe('resolved');
      expect(answers[0]).toEqual({ status: 'accepted', alerts: 1, notifications: 0, suppressed: 1 });
    }
    expect(await suppressedTotal()).toBe(3);
    expect(await t!.metricValue('wecom_adapter_outbox_pending')).toBe(0);
    expect(fake.sends()).toHaveLength(0);
  });

  it('firing is delivered; the next healthy run delivers the resolution once; later healthy runs nothing', async () => {
    const firing = await execute(57);
    expect(firing.requests.map((sent) => sent.action)).toEqual(['notify_wecom_firing']);
    expect(firing.answers[0]).toEqual({ status: 'accepted', alerts: 1, notifications: 1 });
    await fake.waitFor(() => fake.accepted().length === 1, 5000, 'the firing message');
    expect(said(0)).toEqual({ title: 'MySQL 错误日志激增', statuses: ['firing'] });

    const resolved = await execute(6);
    expect(resolved.answers[0]).toEqual({ status: 'accepted', alerts: 1, notifications: 1 });
    await fake.waitFor(() => fake.accepted().length === 2, 5000, 'the resolution');
    expect(said(1)).toEqual({ title: 'MySQL 错误日志激增', statuses: ['resolved'] });

    for (let i = 0; i < 2; i++) expect((await execute(3)).answers[0]).toEqual({ status: 'accepted', alerts: 1, notifications: 0, suppressed: 1 });
    expect(await suppressedTotal()).toBe(5);
    expect(await t!.metricValue('wecom_adapter_outbox_pending')).toBe(0);
    expect(fake.sends()).toHaveLength(2);
  });

  it('across a restart on the same storage dir, the adapter still knows the watch is firing (and then that it is not)', async () => {
    // Fires again more than throttle_period (15m) after the first firing, so Watcher sends it.
    const firing = await execute(80);
    expect(firing.requests.map((sent) => sent.action)).toEqual(['notify_wecom_firing']);
    await fake.waitFor(() => fake.accepted().length === 3, 5000, 'the second firing message');
    expect(said(2)).toEqual({ title: 'MySQL 错误日志激增', statuses: ['firing'] });

    await t!.close();
    await open();
    const resolved = await execute(2);
    expect(resolved.answers[0]).toEqual({ status: 'accepted', alerts: 1, notifications: 1 });
    await fake.waitFor(() => fake.accepted().length === 4, 5000, 'the resolution after the restart');
    expect(said(3)).toEqual({ title: 'MySQL 错误日志激增', statuses: ['resolved'] });

    await t!.close();
    await open();
    expect((await execute(2)).answers[0]).toEqual({ status: 'accepted', alerts: 1, notifications: 0, suppressed: 1 });
    expect(await suppressedTotal()).toBe(1);
    expect(fake.sends()).toHaveLength(4);
  });

  it('Kibana rules are not affected: a Recovered action is delivered even with no firing seen', async () => {
    const { rawFixture } = await import('../support/fixtures');
    const res = await request(t!.app).post('/webhook/kibana').set('Content-Type', 'application/json').send(rawFixture('kibana-rule-recovered.json'));
    expect(res.body).toEqual({ status: 'accepted', alerts: 1, notifications: 1 });
    await fake.waitFor(() => fake.accepted().length === 5, 5000, 'the Kibana recovery');
    expect(said(4)).toEqual({ title: 'MySQL 错误日志激增', statuses: ['resolved'] });
  });
});

describe('Watcher firing state unavailable', () => {
  it('answers 503 (the sender may retry) and logs the storage error', async () => {
    const fake = await new FakeWecom().start();
    const t = await buildApp(robotConfig(fake.url));
    try {
      await t.service.store.close(); // the firing state lives on the outbox's connection
      const [sent] = new WatcherSimulator(loadWatch('watch-with-resolve.json'), WATCH_ID).run(new Date(START), 57);
      const res = await request(t.app).post('/webhook/kibana').set('Content-Type', 'application/json').send(sent.body);
      expect(res.status).toBe(503);
      expect(res.body.error).toMatch(/firing state cannot be read or written/);
      expect(t.logs.some((line) => line.includes('firing-state write failed'))).toBe(true);
      expect(await t.metricValue('wecom_adapter_webhook_requests_total', { source: 'kibana', code: '503' })).toBe(1);
    } finally {
      await t.close();
      await fake.stop();
    }
  });
});

/** statusesOf reads a delivered message's title and the status of every alert it lists. */
function statusesOf(content: string): { title: string; statuses: string[] } {
  const message = parseMarkdownMessage(content);
  return { title: message.title, statuses: message.alerts.map((alert) => alert.status) };
}

/** waitForReady polls /readyz until it answers 200 (Redis connected). */
async function waitForReady(app: TestApp): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await request(app.app).get('/readyz')).status !== 200) {
    if (Date.now() > deadline) throw new Error('the app did not become ready (Redis) within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describeWithBinaries('Watcher resolutions with two replicas sharing Redis', ['redis-server'], (bins) => {
  let fake: FakeWecom;
  let dir: string;
  let redis: RunningRedis;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    fake = await new FakeWecom().start();
    dir = mkdtempSync(join(tmpdir(), 'wecom-watcher-redis-'));
    redis = await startRedisServer(bins['redis-server'], join(dir, 'redis'));
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await redis?.proc.stop();
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a firing seen by one replica lets the other deliver the resolution, once', async () => {
    const config = robotConfig(fake.url, {}, { storage: { redis: { url: redis.url, key_prefix: 'watcher:', lease: '1500ms' } } });
    for (const name of ['a', 'b']) apps.push(await buildApp(config, { dir: join(dir, name) }));
    const [a, b] = apps;
    // The Redis connection opens asynchronously; until then webhooks answer 503 (readiness says so).
    await Promise.all(apps.map((app) => waitForReady(app)));
    const watcher = new WatcherSimulator(loadWatch('watch-with-resolve.json'), WATCH_ID);
    const post = async (app: TestApp, at: number, hits: number) => {
      const [sent] = watcher.run(new Date(at), hits);
      return (await request(app.app).post('/webhook/kibana').set('Content-Type', 'application/json').send(sent.body).expect(200)).body as Record<string, unknown>;
    };
    expect(await post(b, START, 3)).toMatchObject({ notifications: 0, suppressed: 1 });
    const withLogs = (err: Error) => {
      throw new Error(`${err.message}\n--- a ---\n${a.logs.slice(-15).join('')}\n--- b ---\n${b.logs.slice(-15).join('')}`);
    };
    expect(await post(a, START + RUN_EVERY, 57)).toMatchObject({ notifications: 1 });
    // Watcher runs every 5 minutes, so the firing is long delivered when the resolution arrives. Posted
    // at once, the resolution may still find the firing queued, and the worker then packs both into
    // one message (README "Packing"): two messages are only expected once the first has left.
    await fake.waitFor(() => fake.accepted().length === 1, 25_000, 'the firing').catch(withLogs);
    expect(await post(b, START + 2 * RUN_EVERY, 3)).toMatchObject({ notifications: 1 });
    expect(await post(a, START + 3 * RUN_EVERY, 3)).toMatchObject({ notifications: 0, suppressed: 1 });
    // Delivery crosses replicas (receiver lease + the 5 s outbox poll): allow for a loaded machine.
    await fake.waitFor(() => fake.accepted().length === 2, 25_000, 'firing and resolution').catch(withLogs);
    expect(fake.accepted().map((send) => statusesOf(String(send.body.markdown.content)))).toEqual([
      { title: 'MySQL 错误日志激增', statuses: ['firing'] },
      { title: 'MySQL 错误日志激增', statuses: ['resolved'] },
    ]);
  }, 60_000);
});
