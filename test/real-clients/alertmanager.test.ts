import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeWecom } from '../support/fake-wecom';
import { parseMarkdownMessage, type MessageAlert, type ParsedMarkdownMessage } from '../support/markdown-message';
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

/** The alerts of a message keyed by instance (what tells them apart here). */
function byInstance(message: ParsedMarkdownMessage): Map<string, MessageAlert> {
  return new Map(message.alerts.map((alert) => [alert.key, alert]));
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
    return parseMarkdownMessage(fake.sends()[count - 1].body.markdown.content as string);
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
      expect(first.titleLine).toBe('## 🔴 <font color="warning">**严重**</font> DiskFull');
      expect(first.where).toBe('存储组');
      expect([...first.counts]).toEqual([['严重', 3]]);
      expect(first.alerts.map((alert) => alert.key).sort()).toEqual([...INSTANCES]);
      for (const instance of INSTANCES) {
        const alert = byInstance(first).get(instance)!;
        expect(alert.text.split('\n')[0]).toBe(`🔴 <font color="warning">**严重**</font> ${instance}`);
        expect(alert.text).toContain('\n> 磁盘空间不足\n');
        expect(alert.text).toContain(`\n> 主机 ${instance} 的 /data 分区使用率为 ${USAGE[instance]}%\n`);
        expect(alert.text).toMatch(/^> \d\d:\d\d 起(，已持续 \S+)?$/m);
        // Alertmanager escapes & as \u0026 in generatorURL; the link must come out intact.
        expect(alert.text).toContain(`[查看](http://127.0.0.1:19090/graph?g0.expr=disk_used_percent&g0.tab=1&instance=${instance})`);
        expect(alert.text).toContain(`[静默](${am!.url}/#/silences/new?filter=`);
      }
      expect(first.content).not.toContain('已恢复');
      expect(Buffer.byteLength(first.content)).toBeLessThanOrEqual(4096);

      // 2. web-02 resolves → the group stays firing; one message with 2 firing + 1 resolved.
      await am!.postAlerts([resolve('web-02')]);
      const second = await waitForSends(2, 'the partial-resolution message');
      expect(second.titleLine).toBe('## 🔴 <font color="warning">**严重**</font> DiskFull');
      expect([...second.counts]).toEqual([['严重', 2], ['恢复', 1]]);
      // What still fires comes first, then the resolution.
      expect(second.alerts.map((alert) => alert.status)).toEqual(['firing', 'firing', 'resolved']);
      expect(second.alerts.slice(0, 2).map((alert) => alert.key).sort()).toEqual(['web-01', 'web-03']);
      const web02 = second.alerts[2];
      expect(web02.key).toBe('web-02');
      expect(web02.layout).toBe('quiet');
      expect(web02.text).toMatch(/^✅ <font color="info">已恢复<\/font> web-02 · 持续 \S+ · \d\d:\d\d 结束$/);
      for (const instance of ['web-01', 'web-03']) {
        const alert = byInstance(second).get(instance)!;
        expect(alert.text.split('\n')[0]).toBe(`🔴 <font color="warning">**严重**</font> ${instance}`);
        expect(alert.text).toContain('\n> 磁盘空间不足\n');
      }
      expect(second.content.match(/已恢复/g)).toHaveLength(1);

      // 3. The rest resolves → "resolved" listing only the alerts whose resolution was not yet sent.
      await am!.postAlerts([resolve('web-01'), resolve('web-03')]);
      const third = await waitForSends(3, 'the final resolution message');
      expect(third.titleLine).toBe('## ✅ <font color="info">已恢复</font> DiskFull');
      expect([...third.counts]).toEqual([['恢复', 2]]);
      expect(third.alerts.map((alert) => alert.key).sort()).toEqual(['web-01', 'web-03']);
      for (const alert of third.alerts) {
        // A quiet resolution: one line — which alert, how long it lasted, when it ended; no description.
        expect(alert.layout).toBe('quiet');
        expect(alert.text).toMatch(new RegExp(`^✅ <font color="info">已恢复</font> ${alert.key} · 持续 \\d+s · \\d\\d:\\d\\d 结束$`));
      }
      expect(third.content).not.toContain('分区使用率');
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
