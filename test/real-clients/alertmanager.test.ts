import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeWecom } from '../support/fake-wecom';
import { describeWithBinaries, withDiagnostics, startAdapterBehindAlertmanager, type RunningAlertmanager } from '../support/real-binaries';
import { waitUntil, type ServiceProcess } from '../support/service-process';

/**
 * Debian's real Alertmanager 0.25 → the real built adapter process → a fake WeCom robot, all on
 * 127.0.0.1 (real-clients.md §2–§5): fire three alerts with Chinese annotations, resolve one (the
 * group stays firing), resolve the rest, and check every message the robot received.
 */
const TOKEN = 'test-bearer-token-123';
const ROBOT_KEY = 'test-robot-key-0001';
const INSTANCES = ['web-01', 'web-02', 'web-03'] as const;
const USAGE: Record<string, number> = { 'web-01': 91, 'web-02': 95, 'web-03': 97 };

/** A rendered markdown message: the header line and one block per alert, keyed by instance. */
interface ParsedMessage {
  header: string;
  blocks: Map<string, string>;
  content: string;
}

function parseMarkdown(content: string): ParsedMessage {
  const [header, ...rest] = content.split('\n\n');
  const blocks = new Map<string, string>();
  for (const block of rest) {
    const instance = /^> 实例：(\S+)$/m.exec(block)?.[1];
    if (instance) blocks.set(instance, block);
  }
  return { header: header.split('\n')[0], blocks, content };
}

function labelsOf(instance: string) {
  return { alertname: 'DiskFull', instance, severity: 'critical', team: '存储组' };
}

function annotationsOf(instance: string) {
  return { summary: '磁盘空间不足', description: `主机 ${instance} 的 /data 分区使用率为 ${USAGE[instance]}%` };
}

describeWithBinaries('real Alertmanager 0.25 → adapter process → robot', ['prometheus-alertmanager', 'amtool'], (bins) => {
  let dir: string;
  let fake: FakeWecom;
  let adapter: ServiceProcess | undefined;
  let am: RunningAlertmanager | undefined;

  /** Everything needed to understand a failure: Alertmanager's stderr and the adapter's log. */
  const diagnostics = () =>
    [
      `--- fake WeCom received ${fake.sends().length} message(s) ---`,
      ...fake.sends().map((send, i) => `#${i + 1}\n${send.body?.markdown?.content ?? JSON.stringify(send.body)}`),
      '--- alertmanager stderr ---',
      am?.proc.stderr() ?? '(not started)',
      '--- adapter output ---',
      adapter?.output() ?? '(not started)',
    ].join('\n');

  const waitForSends = async (count: number, what: string) => {
    await waitUntil(() => fake.sends().length >= count, 15_000, what);
    return parseMarkdown(fake.sends()[count - 1].body.markdown.content as string);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wecom-adapter-am-'));
    fake = await new FakeWecom({ robotKeys: [ROBOT_KEY] }).start();
    ({ adapter, am } = await startAdapterBehindAlertmanager({ bins, dir, fakeUrl: fake.url, token: TOKEN, robotKey: ROBOT_KEY }));
  }, 60_000);

  afterAll(async () => {
    await am?.proc.stop();
    await adapter?.stop();
    await fake?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('has inbound bearer auth on: a request without the token is refused', async () => {
    const res = await fetch(`${adapter!.url}/webhook/alertmanager`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(401);
  });

  it('delivers firing, partial resolution and final resolution with the right alerts in each message', async () => {
    await withDiagnostics(async () => {
      // startsAt = now in whole seconds, like amtool. Not in the past: Alertmanager flushes a group at
      // once when its first alert is older than group_wait, which would split the three alerts.
      // Resolutions use endsAt with milliseconds taken after the first message, so always later.
      const startsAt = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
      const firing = INSTANCES.map((instance) => ({
        labels: labelsOf(instance),
        annotations: annotationsOf(instance),
        startsAt,
        generatorURL: `http://127.0.0.1:19090/graph?g0.expr=disk_used_percent&g0.tab=1&instance=${instance}`,
      }));
      const resolve = (instance: string) => ({ labels: labelsOf(instance), annotations: annotationsOf(instance), startsAt, endsAt: new Date().toISOString() });

      // 1. Three alerts fire → one message with all three.
      await am!.postAlerts(firing);
      const first = await waitForSends(1, 'the firing message');
      expect(first.header).toBe('## <font color="warning">告警 3 条</font> · DiskFull');
      expect([...first.blocks.keys()].sort()).toEqual([...INSTANCES]);
      for (const instance of INSTANCES) {
        const block = first.blocks.get(instance)!;
        expect(block.split('\n')[0]).toBe('**DiskFull** <font color="warning">严重</font>');
        expect(block).toContain('> 摘要：磁盘空间不足');
        expect(block).toContain(`> 详情：主机 ${instance} 的 /data 分区使用率为 ${USAGE[instance]}%`);
        expect(block).toMatch(/> 开始：\d\d-\d\d \d\d:\d\d:\d\d(（已持续 \S+）)?$/m);
        // Alertmanager escapes & as \u0026 in generatorURL; the link must come out intact.
        expect(block).toContain(`[查看](http://127.0.0.1:19090/graph?g0.expr=disk_used_percent&g0.tab=1&instance=${instance})`);
        expect(block).toContain(`[静默](${am!.url}/#/silences/new?filter=`);
      }
      expect(first.content).not.toContain('已恢复');
      expect(Buffer.byteLength(first.content)).toBeLessThanOrEqual(4096);

      // 2. web-02 resolves → the group stays firing; one message with 2 firing + 1 resolved.
      await am!.postAlerts([resolve('web-02')]);
      const second = await waitForSends(2, 'the partial-resolution message');
      expect(second.header).toBe('## <font color="warning">告警 2 条</font> · <font color="info">恢复 1 条</font> · DiskFull');
      expect([...second.blocks.keys()].sort()).toEqual([...INSTANCES]);
      expect(second.blocks.get('web-02')!.split('\n')[0]).toBe('**DiskFull** <font color="info">已恢复</font>');
      expect(second.blocks.get('web-02')).toMatch(/> 结束：\d\d-\d\d \d\d:\d\d:\d\d（持续 \S+）$/m);
      expect(second.blocks.get('web-02')).not.toContain('[静默]');
      for (const instance of ['web-01', 'web-03']) {
        expect(second.blocks.get(instance)!.split('\n')[0]).toBe('**DiskFull** <font color="warning">严重</font>');
        expect(second.blocks.get(instance)).toContain('> 摘要：磁盘空间不足');
      }
      expect(second.content.match(/已恢复/g)).toHaveLength(1);

      // 3. The rest resolves → "resolved" listing only the alerts whose resolution was not yet sent.
      await am!.postAlerts([resolve('web-01'), resolve('web-03')]);
      const third = await waitForSends(3, 'the final resolution message');
      expect(third.header).toBe('## <font color="info">已恢复 2 条</font> · DiskFull');
      expect([...third.blocks.keys()].sort()).toEqual(['web-01', 'web-03']);
      for (const instance of ['web-01', 'web-03']) {
        const block = third.blocks.get(instance)!;
        expect(block.split('\n')[0]).toBe('**DiskFull** <font color="info">已恢复</font>');
        expect(block).toContain('> 摘要：磁盘空间不足');
        expect(block).toContain(`> 详情：主机 ${instance} 的 /data 分区使用率为 ${USAGE[instance]}%`);
        expect(block).toMatch(/> 结束：\d\d-\d\d \d\d:\d\d:\d\d（持续 \d+s）/);
      }
      expect(third.content).not.toContain('<font color="warning">');

      // Every message went to the configured robot key, as markdown; nothing else was sent.
      expect(fake.sends()).toHaveLength(3);
      for (const send of fake.sends()) {
        expect(send.path).toBe('/cgi-bin/webhook/send');
        expect(send.query.get('key')).toBe(ROBOT_KEY);
        expect(send.body.msgtype).toBe('markdown');
      }
      // The adapter accepted all three webhooks with 200 (Alertmanager authenticated with the bearer token).
      const metrics = await (await fetch(`${adapter!.url}/metrics`)).text();
      expect(metrics).toMatch(/wecom_adapter_webhook_requests_total\{source="alertmanager",code="200"\} 3\b/);
      // Alertmanager logged no failed notification.
      expect(am!.proc.stderr()).not.toMatch(/Notify for alerts failed/);
    }, diagnostics);
  }, 60_000);
});
