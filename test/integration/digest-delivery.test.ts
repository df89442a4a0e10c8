import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import request from 'supertest';
import { digestCommand } from '../../src/commands/digest';
import { DigestScheduler } from '../../src/digest/scheduler';
import { FakeWecom } from '../support/fake-wecom';
import { buildApp, robotConfig, type TestApp } from '../support/build-app';
import { rawFixture } from '../support/fixtures';

/**
 * Digests end to end: webhooks are recorded in the alert history at ingest; a digest run summarizes
 * the period and is delivered to the (fake) robot through the outbox with the right figures; the
 * `digest` command prints (--dry-run) or sends the same digest.
 */
const TO = Date.parse('2025-03-18T03:00:00Z'); // 11:00 in Shanghai
const START = Date.parse('2025-03-18T02:40:00Z');

describe('digest delivery', () => {
  let fake: FakeWecom;
  let t: TestApp;

  beforeEach(async () => {
    fake = await new FakeWecom().start();
    // The service clock runs in the fixtures' era, so the webhooks land in the digest's period.
    const offset = Date.now() - START;
    t = await buildApp(
      robotConfig(fake.url, {}, { digests: [{ name: 'hourly-ops', receiver: 'ops', schedule: '0 * * * *', matchers: ['severity="critical"'] }] }),
      { clock: () => Date.now() - offset },
    );
    for (const fixture of ['alertmanager-firing.json', 'grafana-unified-firing.json', 'alertmanager-resolved.json']) {
      const source = fixture.split('-')[0];
      await request(t.app).post(`/webhook/${source}`).set('Content-Type', 'application/json').send(rawFixture(fixture)).expect(200);
    }
    await fake.waitFor(() => fake.sends().length === 3, 10_000, 'the three alert notifications');
  });
  afterEach(async () => {
    await t.close();
    await fake.stop();
  });

  const EXPECTED = [
    '## 告警时报 03-18 10:00–11:00',
    '> 告警 **4** 条：<font color="warning">触发 4</font> · <font color="info">恢复 2</font> · <font color="warning">仍在告警 2</font>',
    '> 来源：Alertmanager 2 · Grafana 2',
    '> 级别：严重 4',
    '> 平均恢复用时：16m30s',
    '',
    '**触发最多**',
    '1. MySQLTooManyConnections ×2（2 个对象） <font color="comment">严重</font>',
    '2. MySQL连接数过高 ×2（2 个对象） <font color="comment">严重</font>',
    '',
    '**仍在告警**',
    '<font color="warning">严重</font> MySQL连接数过高 db-master-01:9104 · 已持续 46m20s',
    '<font color="warning">严重</font> MySQL连接数过高 db-slave-02:9104 · 已持续 45m20s',
  ].join('\n');

  it('records every received alert and delivers the scheduled digest with the right figures', async () => {
    const history = t.service.history!;
    expect(await history.received(0, Number.MAX_SAFE_INTEGER)).toHaveLength(6);
    const scheduler = new DigestScheduler({ current: () => t.service.current, history, enqueue: (n, now) => t.service.enqueue(n, now), logger: pino({ level: 'silent' }), clock: t.service.clock });
    expect(await scheduler.run(t.service.current.config.digests[0], TO)).toBe('enqueued');
    await fake.waitFor(() => fake.sends().length === 4, 10_000, 'the digest');
    const digest = fake.sends()[3];
    expect(digest.query.get('key')).toBe('test-robot-key-0001');
    expect(digest.body).toEqual({ msgtype: 'markdown', markdown: { content: EXPECTED } });
  });

  it('the digest command prints the same digest with --dry-run and sends it directly without', async () => {
    const file = join(t.dir, 'config.yaml');
    const config = t.service.current.config;
    writeFileSync(
      file,
      [
        `storage: { path: ${JSON.stringify(config.storage.path)} }`,
        `wecom: { api_base: ${JSON.stringify(fake.url)} }`,
        'receivers:',
        '  - name: ops',
        '    robot: { key: digest-key-0001 }',
        'route: { receiver: ops }',
        'digests:',
        '  - name: hourly-ops',
        '    receiver: ops',
        '    schedule: "0 * * * *"',
        `    matchers: ['severity="critical"']`,
      ].join('\n'),
    );
    const out: string[] = [];
    const err: string[] = [];
    expect(await digestCommand({ config: file, name: 'hourly-ops', dryRun: true }, (line) => out.push(line), (line) => err.push(line), { now: TO })).toBe(0);
    expect(err).toEqual([]);
    expect(out[0]).toBe('digest hourly-ops → receiver ops (robot, markdown): 告警时报 03-18 10:00–11:00 (Asia/Shanghai)');
    expect(out[1]).toBe('alerts 4 · fired 4 · resolved 2 · still firing 2 · mean time to resolve 16m30s');
    expect(out.join('\n')).toContain(EXPECTED);
    expect(fake.sends()).toHaveLength(3);

    // --period overrides the default (since the previous scheduled run)
    const wide: string[] = [];
    await digestCommand({ config: file, name: 'hourly-ops', period: '24h', dryRun: true }, (line) => wide.push(line), () => undefined, { now: TO });
    expect(wide[0]).toContain('告警日报 03-17 11:00–03-18 11:00');

    out.length = 0;
    expect(await digestCommand({ config: file, name: 'hourly-ops' }, (line) => out.push(line), (line) => err.push(line), { now: TO })).toBe(0);
    expect(out.at(-1)).toMatch(/^message 1\/1 \(markdown, \d+ B\): sent \(errcode 0\)$/);
    await fake.waitFor(() => fake.sends().length === 4);
    expect(fake.sends()[3].query.get('key')).toBe('digest-key-0001');
    expect(fake.sends()[3].body).toEqual({ msgtype: 'markdown', markdown: { content: EXPECTED } });

    expect(await digestCommand({ config: file, name: 'nope' }, () => undefined, (line) => err.push(line))).toBe(1);
    expect(err.at(-1)).toBe('unknown digest "nope"; configured: hourly-ops');
    expect(await digestCommand({ config: file, name: 'hourly-ops', period: 'soon' }, () => undefined, (line) => err.push(line))).toBe(2);
  });

  it('the digest command explains a WeCom failure and exits 1', async () => {
    fake.replySequence('/webhook/send', [{ json: { errcode: 93000, errmsg: 'invalid webhook url' } }]);
    const file = join(t.dir, 'bad.yaml');
    writeFileSync(
      file,
      [
        `storage: { path: ${JSON.stringify(t.service.current.config.storage.path)} }`,
        `wecom: { api_base: ${JSON.stringify(fake.url)} }`,
        'receivers: [{ name: ops, robot: { key: wrong-key-0001 } }]',
        'route: { receiver: ops }',
        'digests: [{ name: d, receiver: ops, schedule: "0 * * * *" }]',
      ].join('\n'),
    );
    const err: string[] = [];
    expect(await digestCommand({ config: file, name: 'd' }, () => undefined, (line) => err.push(line), { now: TO })).toBe(1);
    expect(err.join('\n')).toContain('93000');
    expect(err.join('\n')).not.toContain('wrong-key-0001');
  });
});
