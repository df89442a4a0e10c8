import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeWecom } from '../support/fake-wecom';
import { parseMarkdownMessage } from '../support/markdown-message';
import { describeWithBinaries, withDiagnostics, startAdapterBehindAlertmanager, startPrometheus, type RunningAlertmanager, type RunningPrometheus } from '../support/real-binaries';
import { waitUntil, type ServiceProcess } from '../support/service-process';

/**
 * The whole chain with real clients on 127.0.0.1: a Prometheus 2.42 alerting rule → Alertmanager 0.25
 * → the adapter process → a fake WeCom robot. The rule fires only inside a time window
 * (real-clients.md §7), so it resolves by itself and we see a firing and then a resolved message.
 */
const TOKEN = 'test-bearer-token-456';
const ROBOT_KEY = 'test-robot-key-0002';

function rulesFor(tStart: number, tEnd: number): string {
  return `groups:
  - name: demo
    interval: 1s
    rules:
      - alert: PromDemoAlert
        expr: vector(42) and on() (vector(time()) > ${tStart}) and on() (vector(time()) < ${tEnd})
        labels:
          severity: warning
          instance: web-03
        annotations:
          summary: '演示告警：Prometheus 规则触发'
          description: 'web-03 当前值为 {{ $value }}'
`;
}

describeWithBinaries('real Prometheus → Alertmanager → adapter process → robot', ['prometheus', 'prometheus-alertmanager', 'amtool'], (bins) => {
  let dir: string;
  let fake: FakeWecom;
  let adapter: ServiceProcess | undefined;
  let am: RunningAlertmanager | undefined;
  let prom: RunningPrometheus | undefined;

  const diagnostics = () =>
    [
      `--- fake WeCom received ${fake.sends().length} message(s) ---`,
      ...fake.sends().map((send, i) => `#${i + 1}\n${send.body?.markdown?.content ?? JSON.stringify(send.body)}`),
      '--- prometheus stderr ---',
      prom?.proc.stderr() ?? '(not started)',
      '--- alertmanager stderr ---',
      am?.proc.stderr() ?? '(not started)',
      '--- adapter output ---',
      adapter?.output() ?? '(not started)',
    ].join('\n');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wecom-adapter-prom-'));
    fake = await new FakeWecom({ robotKeys: [ROBOT_KEY] }).start();
    ({ adapter, am } = await startAdapterBehindAlertmanager({ bins, dir, fakeUrl: fake.url, token: TOKEN, robotKey: ROBOT_KEY }));
  }, 60_000);

  afterAll(async () => {
    await prom?.proc.stop();
    await am?.proc.stop();
    await adapter?.stop();
    await fake?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('sends a firing and then a resolved message for PromDemoAlert', async () => {
    await withDiagnostics(async () => {
      // Prometheus needs ~5 s to discover its Alertmanager; alerts before that are dropped and only
      // re-sent after resend-delay, so the window opens 8 s after launch and resend-delay is 1 s.
      const launch = Math.floor(Date.now() / 1000);
      const tStart = launch + 8;
      const tEnd = tStart + 8;
      prom = await startPrometheus({
        bin: bins.prometheus,
        dir: join(dir, 'prom'),
        alertmanagerPort: am!.port,
        rules: rulesFor(tStart, tEnd),
        extraArgs: ['--rules.alert.resend-delay=1s'],
      });

      await waitUntil(() => fake.sends().length >= 1, (tStart - Date.now() / 1000) * 1000 + 15_000, 'the firing message');
      const firing = fake.sends()[0].body.markdown.content as string;
      const fired = parseMarkdownMessage(firing);
      expect(fired.titleLine).toBe('## 🟠 <font color="warning">警告</font> PromDemoAlert');
      expect(fired.where).toBe('web-03');
      expect(fired.alerts.map((alert) => [alert.status, alert.badge.label, alert.layout])).toEqual([['firing', '警告', 'full']]);
      expect(fired.alerts[0].text.split('\n')).toEqual(expect.arrayContaining(['> 演示告警：Prometheus 规则触发', '> web-03 当前值为 42']));
      expect(fired.alerts[0].text).toMatch(/^> \d\d:\d\d 起(，已持续 \S+)?$/m);
      // The rule's generatorURL points back at this Prometheus (with Go's \u0026 decoded to &).
      expect(firing).toMatch(new RegExp(`\\[查看\\]\\(${prom.url.replace(/[.]/g, '\\.')}/graph\\?g0\\.expr=[^)]*&g0\\.tab=1\\)`));
      expect(firing).not.toContain('已恢复');

      await waitUntil(() => fake.sends().length >= 2, (tEnd - Date.now() / 1000) * 1000 + 15_000, 'the resolved message');
      const resolved = parseMarkdownMessage(fake.sends()[1].body.markdown.content as string);
      expect(resolved.titleLine).toBe('## ✅ <font color="info">已恢复</font> PromDemoAlert');
      expect(resolved.where).toBe('web-03');
      // A quiet resolution: how long it lasted and when it ended, nothing else.
      expect(resolved.alerts.map((alert) => [alert.status, alert.layout])).toEqual([['resolved', 'quiet']]);
      expect(resolved.alerts[0].text).toMatch(/^持续 \d+s · \d\d:\d\d 结束$/);

      expect(fake.sends()).toHaveLength(2);
      for (const send of fake.sends()) {
        expect(send.query.get('key')).toBe(ROBOT_KEY);
        expect(Buffer.byteLength(send.body.markdown.content)).toBeLessThanOrEqual(4096);
      }
    }, diagnostics);
  }, 90_000);
});
