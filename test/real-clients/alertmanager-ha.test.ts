import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CountingProxy, type ProxiedRequest } from '../support/counting-proxy';
import { FakeWecom } from '../support/fake-wecom';
import { parseMarkdownMessage } from '../support/markdown-message';
import { describeWithBinaries, startAlertmanagerPair, startRealClientAdapter, withDiagnostics, type RunningAlertmanager } from '../support/real-binaries';
import { waitUntil, type ServiceProcess } from '../support/service-process';

/**
 * A real HA pair: two Debian Alertmanager 0.25 processes clustered on loopback (gossip every 20 ms,
 * `--cluster.peer-timeout=10ms`), both posting to the real adapter process through a counting proxy,
 * the alerts posted to both as Prometheus does (same `startsAt` to every Alertmanager, v2 API).
 * Checks that both members really send each notification, that WeCom gets exactly one message per
 * notification, and that a flap — firing → resolved → firing again with a new `startsAt`, all within
 * `dedup_window` — delivers all three messages (the third one firing).
 */
const TOKEN = 'test-bearer-token-ha-456';
const ROBOT_KEY = 'test-robot-key-ha-0002';
/** Longer than the whole flap, so only the episode in the dedup key keeps the re-fire apart. */
const DEDUP_WINDOW = '5m';
/** Held per webhook by the proxy, longer than the pair's flush skew plus gossip (see CountingProxy). */
const HOLD_MS = 300;

const LABELS = { alertname: 'MySQLReplicationLag', instance: 'db-slave-02', severity: 'critical', team: 'dba' };
const ANNOTATIONS = { summary: 'MySQL 主从延迟过大', description: '从库 db-slave-02 复制延迟 120 秒' };

describeWithBinaries('real Alertmanager 0.25 HA pair → adapter process → robot', ['prometheus-alertmanager', 'amtool'], (bins) => {
  let dir: string;
  let fake: FakeWecom;
  let proxy: CountingProxy | undefined;
  let adapter: ServiceProcess | undefined;
  let pair: RunningAlertmanager[] = [];

  const diagnostics = () =>
    [
      `--- fake WeCom received ${fake.sends().length} message(s) ---`,
      ...fake.sends().map((send, i) => `#${i + 1}\n${send.body?.markdown?.content ?? JSON.stringify(send.body)}`),
      `--- proxy saw ${proxy?.requests.length ?? 0} webhook(s) ---`,
      ...(proxy?.requests ?? []).map((r) => `${r.body?.externalURL} ${r.body?.alerts?.map((a: { status: string; startsAt: string }) => `${a.status}@${a.startsAt}`).join(',')} → ${r.status} ${r.answer}`),
      ...pair.map((am) => `--- ${am.proc.name} stderr (tail) ---\n${am.proc.stderr().slice(-4000)}`),
      '--- adapter output (tail) ---',
      adapter?.output().slice(-4000) ?? '(not started)',
    ].join('\n');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wecom-adapter-am-ha-'));
    fake = await new FakeWecom({ robotKeys: [ROBOT_KEY] }).start();
    adapter = await startRealClientAdapter({ dir, fakeUrl: fake.url, token: TOKEN, robotKey: ROBOT_KEY, delivery: { dedup_window: DEDUP_WINDOW } });
    proxy = await new CountingProxy(adapter.url, HOLD_MS).start();
    pair = await startAlertmanagerPair({
      bins,
      dir,
      webhookUrl: `${proxy.url}/webhook/alertmanager`,
      bearerToken: TOKEN,
      groupWait: '1s',
      groupInterval: '2s',
      cluster: { peerTimeout: '10ms', gossipInterval: '20ms', pushpullInterval: '1s' },
    });
  }, 60_000);

  afterAll(async () => {
    for (const am of pair) await am.proc.stop();
    await proxy?.stop();
    await adapter?.stop();
    await fake?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  /** toBoth posts to every Alertmanager of the pair, as Prometheus does. */
  const toBoth = (alerts: unknown[]) => Promise.all(pair.map((am) => am.postAlerts(alerts)));
  const metric = async (pattern: RegExp) => {
    const text = await (await fetch(`${adapter!.url}/metrics`)).text();
    return Number(pattern.exec(text)?.[1] ?? 'NaN');
  };

  /**
   * notification waits until both members posted the notification `matches` recognizes and the
   * adapter answered both, and until WeCom has `messages` messages; returns the two webhooks.
   */
  async function notification(what: string, messages: number, matches: (body: any) => boolean): Promise<ProxiedRequest[]> {
    const posted = () => proxy!.answered().filter((request) => matches(request.body));
    await waitUntil(() => posted().length >= 2 && fake.sends().length >= messages, 20_000, `${what}: a webhook from each Alertmanager and WeCom message #${messages}`);
    const twins = posted();
    expect(twins).toHaveLength(2);
    expect(twins.map((request) => request.body.externalURL).sort()).toEqual(pair.map((am) => am.url).sort());
    // Both were accepted; the second one answered as a duplicate of the first.
    expect(twins.map((request) => request.status)).toEqual([200, 200]);
    expect(twins.map((request) => JSON.parse(request.answer!)).sort((a, b) => b.notifications - a.notifications)).toEqual([
      { status: 'accepted', alerts: 1, notifications: 1 },
      { status: 'accepted', alerts: 1, notifications: 0, deduplicated: 1 },
    ]);
    return twins;
  }

  const isEpisode = (status: 'firing' | 'resolved', startsAt: string) => (body: any) =>
    body?.alerts?.length === 1 && body.alerts[0].status === status && Date.parse(body.alerts[0].startsAt) === Date.parse(startsAt);
  const content = (index: number) => String(fake.sends()[index].body.markdown.content);
  /** statusOfMessage is what message #index says of its one alert: status and badge. */
  const statusOfMessage = (index: number) => parseMarkdownMessage(content(index)).alerts.map((alert) => [alert.status, alert.badge.label]);

  it('both members send every notification, WeCom gets one message each, and a flap is delivered in full', async () => {
    await withDiagnostics(async () => {
      // 1. Fires (startsAt with milliseconds, as Prometheus sends it).
      const firstStart = new Date().toISOString();
      await toBoth([{ labels: LABELS, annotations: ANNOTATIONS, startsAt: firstStart, generatorURL: 'http://127.0.0.1:19090/graph?g0.expr=mysql_slave_lag_seconds' }]);
      await notification('firing', 1, isEpisode('firing', firstStart));
      expect(parseMarkdownMessage(content(0)).title).toBe('MySQLReplicationLag');
      expect(statusOfMessage(0)).toEqual([['firing', '严重']]);
      expect(content(0)).not.toContain('已恢复');

      // 2. Resolves: Prometheus sends the alert again with its end time.
      await toBoth([{ labels: LABELS, annotations: ANNOTATIONS, startsAt: firstStart, endsAt: new Date().toISOString() }]);
      await notification('resolved', 2, isEpisode('resolved', firstStart));
      expect(parseMarkdownMessage(content(1)).title).toBe('MySQLReplicationLag');
      expect(statusOfMessage(1)).toEqual([['resolved', '已恢复']]);

      // 3. Fires again seconds later — a new episode (new startsAt) within the dedup window.
      const secondStart = new Date().toISOString();
      await toBoth([{ labels: LABELS, annotations: ANNOTATIONS, startsAt: secondStart, generatorURL: 'http://127.0.0.1:19090/graph?g0.expr=mysql_slave_lag_seconds' }]);
      await notification('firing again', 3, isEpisode('firing', secondStart));
      expect(parseMarkdownMessage(content(2)).title).toBe('MySQLReplicationLag');
      expect(statusOfMessage(2)).toEqual([['firing', '严重']]);
      expect(content(2)).not.toContain('已恢复');

      // Nothing else is queued or sent: one message per notification, six webhooks, three duplicates.
      await waitUntil(async () => (await metric(/^wecom_adapter_outbox_pending\{receiver="ops"\} (\d+)/m)) === 0, 10_000, 'an empty outbox');
      expect(fake.sends()).toHaveLength(3);
      expect(fake.sends().every((send) => send.query.get('key') === ROBOT_KEY)).toBe(true);
      expect(proxy!.requests).toHaveLength(6);
      expect(await metric(/^wecom_adapter_webhook_requests_total\{source="alertmanager",code="200"\} (\d+)/m)).toBe(6);
      expect(await metric(/^wecom_adapter_notifications_total\{receiver="ops",outcome="deduplicated"\} (\d+)/m)).toBe(3);
      expect(await metric(/^wecom_adapter_notifications_total\{receiver="ops",outcome="sent"\} (\d+)/m)).toBe(3);
      for (const am of pair) expect(am.proc.stderr()).not.toMatch(/Notify for alerts failed/);
    }, diagnostics);
  }, 60_000);
});
