import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { buildDigest, digestNotification, digestTitle, periodLabel } from '../../src/digest/build';
import { DigestScheduler } from '../../src/digest/scheduler';
import { validateConfig } from '../../src/config/load';
import type { HistoryRecord } from '../../src/history/history-store';
import { HistoryRecorder } from '../../src/history/recorder';
import { SqliteHistoryStore } from '../../src/history/sqlite-history-store';
import type { Alert } from '../../src/model/alert';
import type { Notification } from '../../src/model/notification';
import { parseMatchers } from '../../src/routing/matchers';
import { TemplateEngine } from '../../src/render/engine';
import { messageFormat } from '../../src/render/format';
import { pack } from '../../src/render/packer';

/**
 * A synthetic hour of alerts (2025-03-18 09:00–10:00 Asia/Shanghai = 01:00–02:00Z) in a real SQLite
 * history, with a fixed clock: exact counts, top firing, still-firing durations, MTTR, matchers,
 * empty periods. No waiting anywhere.
 */
const at = (hhmm: string, day = '2025-03-18') => Date.parse(`${day}T${hhmm}:00Z`);
const iso = (hhmm: string, day = '2025-03-18') => new Date(at(hhmm, day)).toISOString();
const PERIOD = { from: at('01:00'), to: at('02:00') };
const NOW = at('02:00') + 1500;
const TZ = 'Asia/Shanghai';

function rec(fields: Partial<HistoryRecord> & Pick<HistoryRecord, 'name' | 'fingerprint' | 'status' | 'startsAt' | 'receivedAt'>): HistoryRecord {
  const severity = fields.severity ?? 'warning';
  return { source: 'alertmanager', ...fields, severity, labels: { alertname: fields.name, severity, ...fields.labels } };
}

/** The synthetic hour (see the expected figures in the tests). */
function syntheticHour(): HistoryRecord[] {
  return [
    // A: DiskFull web-01, started before the period, repeated in it, resolved in it (70m to resolve).
    rec({ name: 'DiskFull', fingerprint: 'a', severity: 'critical', status: 'firing', startsAt: iso('00:30'), receivedAt: at('00:31'), labels: { alertname: 'DiskFull', instance: 'web-01', team: 'ops' } }),
    rec({ name: 'DiskFull', fingerprint: 'a', severity: 'critical', status: 'firing', startsAt: iso('00:30'), receivedAt: at('01:10'), labels: { alertname: 'DiskFull', instance: 'web-01', team: 'ops' } }),
    rec({ name: 'DiskFull', fingerprint: 'a', severity: 'critical', status: 'resolved', startsAt: iso('00:30'), endsAt: iso('01:40'), receivedAt: at('01:40'), labels: { alertname: 'DiskFull', instance: 'web-01', team: 'ops' } }),
    // B: HighCPU app-01 (Grafana) flaps: 3 episodes, the first sent twice (HA pair), the last still firing.
    rec({ source: 'grafana', name: 'HighCPU', fingerprint: 'b', status: 'firing', startsAt: iso('01:05'), receivedAt: at('01:05'), labels: { alertname: 'HighCPU', instance: 'app-01', team: 'dev' } }),
    rec({ source: 'grafana', name: 'HighCPU', fingerprint: 'b', status: 'firing', startsAt: iso('01:05'), receivedAt: at('01:05') + 200, labels: { alertname: 'HighCPU', instance: 'app-01', team: 'dev' } }),
    rec({ source: 'grafana', name: 'HighCPU', fingerprint: 'b', status: 'resolved', startsAt: iso('01:05'), endsAt: iso('01:15'), receivedAt: at('01:15'), labels: { alertname: 'HighCPU', instance: 'app-01', team: 'dev' } }),
    rec({ source: 'grafana', name: 'HighCPU', fingerprint: 'b', status: 'firing', startsAt: iso('01:20'), receivedAt: at('01:20'), labels: { alertname: 'HighCPU', instance: 'app-01', team: 'dev' } }),
    rec({ source: 'grafana', name: 'HighCPU', fingerprint: 'b', status: 'resolved', startsAt: iso('01:20'), endsAt: iso('01:25'), receivedAt: at('01:25'), labels: { alertname: 'HighCPU', instance: 'app-01', team: 'dev' } }),
    rec({ source: 'grafana', name: 'HighCPU', fingerprint: 'b', status: 'firing', startsAt: iso('01:50'), receivedAt: at('01:50'), labels: { alertname: 'HighCPU', instance: 'app-01', team: 'dev' } }),
    // C: HighCPU app-02, fired and resolved in the period (15m).
    rec({ source: 'grafana', name: 'HighCPU', fingerprint: 'c', status: 'firing', startsAt: iso('01:30'), receivedAt: at('01:30'), labels: { alertname: 'HighCPU', instance: 'app-02', team: 'dev' } }),
    rec({ source: 'grafana', name: 'HighCPU', fingerprint: 'c', status: 'resolved', startsAt: iso('01:30'), endsAt: iso('01:45'), receivedAt: at('01:45'), labels: { alertname: 'HighCPU', instance: 'app-02', team: 'dev' } }),
    // D: Kibana errors, fired last night (3h before the end), never repeated: still firing (24h look-back).
    rec({ source: 'kibana', name: 'ErrorBurst', fingerprint: 'd', severity: 'critical', status: 'firing', startsAt: iso('23:00', '2025-03-17'), receivedAt: at('23:00', '2025-03-17'), labels: { alertname: 'ErrorBurst' } }),
    // E: fired two days ago and never heard of again: beyond the look-back, not "still firing".
    rec({ name: 'Stale', fingerprint: 'e', status: 'firing', startsAt: iso('01:00', '2025-03-16'), receivedAt: at('01:00', '2025-03-16') }),
    // F: resolution only, of an episode that started before the period (65m to resolve).
    rec({ name: 'MemoryLow', fingerprint: 'f', status: 'resolved', startsAt: iso('00:00'), endsAt: iso('01:05'), receivedAt: at('01:05'), labels: { alertname: 'MemoryLow', instance: 'db-01', team: 'dba' } }),
    // G: fired exactly at the start (included); its resolution arrives exactly at the end (excluded).
    rec({ name: 'Boundary', fingerprint: 'g', severity: 'info', status: 'firing', startsAt: iso('01:00'), receivedAt: at('01:00'), labels: { alertname: 'Boundary', instance: 'edge-01' } }),
    rec({ name: 'Boundary', fingerprint: 'g', severity: 'info', status: 'resolved', startsAt: iso('01:00'), endsAt: iso('02:00'), receivedAt: at('02:00'), labels: { alertname: 'Boundary', instance: 'edge-01' } }),
  ];
}

describe('buildDigest over a synthetic hour', () => {
  let dir: string;
  let history: SqliteHistoryStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'digest-test-'));
    history = new SqliteHistoryStore(dir);
    await history.record(syntheticHour());
  });
  afterEach(async () => {
    await history.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts alerts (episodes) by source, severity and status', async () => {
    const summary = await buildDigest(history, { name: 'hourly', matchers: [] }, PERIOD, NOW);
    expect(summary).toMatchObject({ name: 'hourly', label: '告警时报', from: '2025-03-18T01:00:00.000Z', to: '2025-03-18T02:00:00.000Z', alerts: 7, firing: 6, resolved: 5, empty: false });
    expect(summary.bySource).toEqual([
      { key: 'grafana', label: 'Grafana', count: 4 },
      { key: 'alertmanager', label: 'Alertmanager', count: 3 },
    ]);
    expect(summary.bySeverity).toEqual([
      { key: '严重', label: '严重', count: 1 },
      { key: '警告', label: '警告', count: 5 },
      { key: '提示', label: '提示', count: 1 },
    ]);
    expect(summary.byStatus).toEqual([
      { key: 'firing', label: '触发', count: 6 },
      { key: 'resolved', label: '恢复', count: 5 },
    ]);
  });

  it('ranks the alerts that fired most often (episodes, not repeated webhook calls)', async () => {
    const summary = await buildDigest(history, { name: 'hourly', matchers: [] }, PERIOD, NOW);
    expect(summary.top).toEqual([
      { name: 'HighCPU', count: 4, instances: 2, severity: '警告' },
      { name: 'DiskFull', count: 1, instances: 1, severity: '严重' },
      { name: 'Boundary', count: 1, instances: 1, severity: '提示' },
    ]);
  });

  it('lists what is still firing at the end of the period, longest first, with durations at `to`', async () => {
    const summary = await buildDigest(history, { name: 'hourly', matchers: [] }, PERIOD, NOW);
    expect(summary.stillFiringTotal).toBe(3);
    expect(summary.stillFiringMore).toBe(0);
    expect(summary.stillFiring).toEqual([
      { name: 'ErrorBurst', source: 'kibana', severity: '严重', startsAt: iso('23:00', '2025-03-17'), firingForMs: 3 * 3_600_000, firingFor: '3h' },
      { name: 'Boundary', source: 'alertmanager', severity: '提示', instance: 'edge-01', startsAt: iso('01:00'), firingForMs: 3_600_000, firingFor: '1h' },
      { name: 'HighCPU', source: 'grafana', severity: '警告', instance: 'app-01', startsAt: iso('01:50'), firingForMs: 600_000, firingFor: '10m' },
    ]);
  });

  it('computes the mean time to resolve over the alerts resolved in the period', async () => {
    const summary = await buildDigest(history, { name: 'hourly', matchers: [] }, PERIOD, NOW);
    // A 70m, B1 10m, B2 5m, C 15m, F 65m → 165m / 5
    expect(summary.mttrMs).toBe(33 * 60_000);
    expect(summary.mttr).toBe('33m');
  });

  it('applies matchers to labels and the pseudo-labels source and status', async () => {
    const grafana = await buildDigest(history, { name: 'g', matchers: parseMatchers('source="grafana"') }, PERIOD, NOW);
    expect(grafana).toMatchObject({ alerts: 4, firing: 4, resolved: 3, stillFiringTotal: 1, mttr: '10m' });
    expect(grafana.bySource).toEqual([{ key: 'grafana', label: 'Grafana', count: 4 }]);

    const critical = await buildDigest(history, { name: 'c', matchers: parseMatchers('severity="critical"') }, PERIOD, NOW);
    expect(critical).toMatchObject({ alerts: 1, firing: 1, resolved: 1, stillFiringTotal: 1, mttr: '1h10m' });
    expect(critical.stillFiring.map((alert) => alert.name)).toEqual(['ErrorBurst']);

    const notDev = await buildDigest(history, { name: 'n', matchers: parseMatchers('team!="dev"') }, PERIOD, NOW);
    expect(notDev).toMatchObject({ alerts: 3, firing: 2, resolved: 2 });
    expect(notDev.top.map((alert) => alert.name)).toEqual(['DiskFull', 'Boundary']);

    const firingOnly = await buildDigest(history, { name: 'f', matchers: parseMatchers('status="firing"') }, PERIOD, NOW);
    expect(firingOnly).toMatchObject({ alerts: 6, firing: 6, resolved: 0, stillFiringTotal: 3 });
    expect(firingOnly.mttr).toBeUndefined();
  });

  it('reports an empty period (nothing happened, nothing firing)', async () => {
    const quiet = { from: at('01:00', '2025-03-10'), to: at('02:00', '2025-03-10') };
    const summary = await buildDigest(history, { name: 'hourly', matchers: [] }, quiet, NOW);
    expect(summary).toMatchObject({ alerts: 0, firing: 0, resolved: 0, stillFiringTotal: 0, top: [], stillFiring: [], empty: true });
    expect(summary.mttr).toBeUndefined();
    expect(digestNotification(summary, { name: 'hourly', receiver: 'ops', template: 'digest' }, TZ, NOW).content).toBe('本时段没有告警');
  });

  it('is not empty when nothing happened but something is still firing', async () => {
    const after = { from: at('03:00'), to: at('04:00') };
    const summary = await buildDigest(history, { name: 'hourly', matchers: [] }, after, NOW);
    expect(summary).toMatchObject({ alerts: 0, stillFiringTotal: 2, empty: false });
    expect(summary.stillFiring.map((alert) => `${alert.name} ${alert.firingFor}`)).toEqual(['ErrorBurst 5h', 'HighCPU 2h10m']);
  });

  it('renders the digest as readable Chinese markdown and text', async () => {
    const summary = await buildDigest(history, { name: 'hourly', matchers: [] }, PERIOD, NOW);
    const notification = digestNotification(summary, { name: 'hourly', receiver: 'ops', template: 'digest' }, TZ, NOW);
    expect(notification).toMatchObject({ kind: 'message', source: 'digest', receiver: 'ops', template: 'digest', title: '告警时报 03-18 09:00–10:00', labels: { digest: 'hourly' } });
    const engine = TemplateEngine.load();
    const render = (msgtype: string) =>
      pack([{ id: 'd', notification, offset: 0, partsSent: 0 }], { engine, format: messageFormat('robot', msgtype), timezone: TZ, now: NOW });
    const [markdown] = render('markdown');
    expect(markdown.content).toBe(
      [
        '## 告警时报 03-18 09:00–10:00',
        '> 告警 **7** 条：<font color="warning">触发 6</font> · <font color="info">恢复 5</font> · <font color="warning">仍在告警 3</font>',
        '> 来源：Grafana 4 · Alertmanager 3',
        '> 级别：严重 1 · 警告 5 · 提示 1',
        '> 平均恢复用时：33m',
        '',
        '**触发最多**',
        '1. HighCPU ×4（2 个对象） <font color="comment">警告</font>',
        '2. DiskFull ×1 <font color="comment">严重</font>',
        '3. Boundary ×1 <font color="comment">提示</font>',
        '',
        '**仍在告警**',
        '<font color="warning">严重</font> ErrorBurst · 已持续 3h',
        '<font color="warning">提示</font> Boundary edge-01 · 已持续 1h',
        '<font color="warning">警告</font> HighCPU app-01 · 已持续 10m',
      ].join('\n'),
    );
    const [text] = render('text');
    expect(text.content.split('\n').slice(0, 2)).toEqual(['【告警时报 03-18 09:00–10:00】', '告警 7 条：触发 6，恢复 5，仍在告警 3']);
    const [card] = render('template_card');
    expect(card.title).toBe('告警时报 03-18 09:00–10:00');
    expect(card.content).toBe('告警 7 条：触发 6，恢复 5\n最多：HighCPU×4、DiskFull×1、Boundary×1\n仍在告警：ErrorBurst（3h）、Boundary（1h）、HighCPU（10m）');
    expect(card.card).toMatchObject({ source: '告警摘要', sourceColor: 2, figure: { title: '6', desc: '次告警触发' } });
    const [news] = render('news');
    expect(news.title).toBe('告警时报 03-18 09:00–10:00');
    expect(news.bytes).toBeLessThanOrEqual(512);
  });

  it('shows acknowledgements from WeCom cards: count, mean time to acknowledge, who', async () => {
    const summary = await buildDigest(history, { name: 'hourly', matchers: [] }, PERIOD, NOW);
    summary.acks = { count: 3, byUser: [{ user: 'zhangsan', count: 2 }, { user: 'lisi', count: 1 }], mttaMs: 240_000, mtta: '4m' };
    const notification = digestNotification(summary, { name: 'hourly', receiver: 'ops', template: 'digest' }, TZ, NOW);
    const render = (msgtype: string) => pack([{ id: 'd', notification, offset: 0, partsSent: 0 }], { engine: TemplateEngine.load(), format: messageFormat('robot', msgtype), timezone: TZ, now: NOW })[0].content;
    expect(render('markdown')).toContain('> 认领 **3** 次，平均认领用时 4m：zhangsan ×2、lisi ×1');
    expect(render('text')).toContain('认领 3 次，平均认领用时 4m：zhangsan×2、lisi×1');
  });

  it('sanitizes alert names from payloads before they reach the digest markdown', async () => {
    await history.record([rec({ name: '<@all> **x**', fingerprint: 'z', status: 'firing', startsAt: iso('01:30'), receivedAt: at('01:30') })]);
    const summary = await buildDigest(history, { name: 'hourly', matchers: [] }, PERIOD, NOW);
    const notification = digestNotification(summary, { name: 'hourly', receiver: 'ops', template: 'digest' }, TZ, NOW);
    const [markdown] = pack([{ id: 'd', notification, offset: 0, partsSent: 0 }], { engine: TemplateEngine.load(), format: messageFormat('robot', 'markdown'), timezone: TZ, now: NOW });
    expect(markdown.content).toContain('＜@all＞ ＊＊x＊＊');
    expect(markdown.content).not.toContain('<@all>');
  });
});

describe('digest titles', () => {
  it('names the period by its length, in the configured time zone', () => {
    expect(periodLabel({ from: at('01:00'), to: at('02:00') })).toBe('告警时报');
    expect(periodLabel({ from: at('01:00', '2025-03-17'), to: at('01:00') })).toBe('告警日报');
    expect(periodLabel({ from: at('01:00', '2025-03-11'), to: at('01:00') })).toBe('告警周报');
    expect(periodLabel({ from: at('01:00'), to: at('07:00') })).toBe('告警摘要');
    expect(digestTitle({ label: '告警时报', from: iso('01:00'), to: iso('02:00') }, TZ)).toBe('告警时报 03-18 09:00–10:00');
    expect(digestTitle({ label: '告警日报', from: iso('01:00', '2025-03-17'), to: iso('01:00') }, TZ)).toBe('告警日报 03-17 09:00–03-18 09:00');
    expect(digestTitle({ label: '告警时报', from: iso('01:00'), to: iso('02:00') }, 'UTC')).toBe('告警时报 03-18 01:00–02:00');
  });
});

describe('alert history', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'history-test-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('records received alerts and prunes what is older than the retention', async () => {
    const history = new SqliteHistoryStore(dir);
    const recorder = new HistoryRecorder(history, pino({ level: 'silent' }), () => 86_400_000);
    const alert: Alert = {
      source: 'alertmanager',
      status: 'firing',
      name: 'DiskFull',
      severity: 'critical',
      summary: '',
      description: '',
      labels: { alertname: 'DiskFull', instance: 'web-01' },
      annotations: {},
      startsAt: iso('01:00'),
      fingerprint: 'fp1',
      links: {},
    };
    await recorder.record([alert], at('01:00', '2025-03-16'));
    await recorder.record([{ ...alert, status: 'resolved', endsAt: iso('01:30') }], at('01:30'));
    // The second record prunes everything older than a day (the first).
    const all = await history.received(0, Number.MAX_SAFE_INTEGER);
    expect(all).toEqual([
      { source: 'alertmanager', name: 'DiskFull', severity: 'critical', status: 'resolved', fingerprint: 'fp1', labels: { alertname: 'DiskFull', instance: 'web-01' }, startsAt: iso('01:00'), endsAt: iso('01:30'), receivedAt: at('01:30') },
    ]);
    await history.close();
  });

  it('never fails the caller when the history cannot be written', async () => {
    const history = new SqliteHistoryStore(dir);
    await history.close();
    const recorder = new HistoryRecorder(history, pino({ level: 'silent' }), () => 86_400_000);
    await expect(recorder.record([], at('01:00'))).resolves.toBeUndefined();
    await expect(recorder.record([{ source: 'api', status: 'firing', name: 'x', severity: '', summary: '', description: '', labels: {}, annotations: {}, startsAt: iso('01:00'), fingerprint: 'x', links: {} }], at('01:00'))).resolves.toBeUndefined();
  });
});

describe('DigestScheduler.run', () => {
  let dir: string;
  let history: SqliteHistoryStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'digest-run-'));
    history = new SqliteHistoryStore(dir);
    await history.record(syntheticHour());
  });
  afterEach(async () => {
    await history.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function scheduler(digest: Record<string, unknown>) {
    const config = validateConfig(
      { receivers: [{ name: 'ops', console: null }], route: { receiver: 'ops' }, digests: [{ name: 'hourly', receiver: 'ops', schedule: '0 * * * *', ...digest }] },
      'test.yaml',
      dir,
      {},
    );
    const queued: Notification[] = [];
    const s = new DigestScheduler({ current: () => ({ config }), history, enqueue: async (n) => void queued.push(...n), logger: pino({ level: 'silent' }), clock: () => NOW });
    return { s, queued, digest: config.digests[0] };
  }

  it('summarizes since the previous scheduled run and enqueues the digest', async () => {
    const { s, queued, digest } = scheduler({});
    expect(await s.run(digest, PERIOD.to)).toBe('enqueued');
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ kind: 'message', source: 'digest', receiver: 'ops', title: '告警时报 03-18 09:00–10:00' });
    expect((queued[0] as { digest?: { alerts: number } }).digest?.alerts).toBe(7);
  });

  it('uses an explicit period', async () => {
    const { s, queued, digest } = scheduler({ period: '30m' });
    await s.run(digest, PERIOD.to);
    expect(queued[0]).toMatchObject({ title: '告警时报 03-18 09:30–10:00' });
  });

  it('sends nothing for an empty period unless send_empty', async () => {
    const quietEnd = at('02:00', '2025-03-10');
    const quiet = scheduler({});
    expect(await quiet.s.run(quiet.digest, quietEnd)).toBe('empty');
    expect(quiet.queued).toHaveLength(0);
    const always = scheduler({ send_empty: true });
    expect(await always.s.run(always.digest, quietEnd)).toBe('enqueued');
    expect(always.queued[0]).toMatchObject({ content: '本时段没有告警' });
  });
});

describe('digest for an app textcard receiver', () => {
  it('renders title and a short <div> description within 128 / 512 bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'digest-textcard-'));
    const history = new SqliteHistoryStore(dir);
    await history.record(syntheticHour());
    const summary = await buildDigest(history, { name: 'hourly', matchers: [] }, PERIOD, NOW);
    const notification = digestNotification(summary, { name: 'hourly', receiver: 'app', template: 'digest' }, TZ, NOW);
    const [card] = pack([{ id: 'd', notification, offset: 0, partsSent: 0 }], { engine: TemplateEngine.load(), format: messageFormat('app', 'textcard'), timezone: TZ, now: NOW });
    expect(card.title).toBe('告警时报 03-18 09:00–10:00');
    expect(card.content).toBe(
      '<div class="gray">告警 7 条：触发 6，恢复 5，平均恢复 33m</div>\n<div class="normal">触发最多：HighCPU×4、DiskFull×1、Boundary×1</div>\n<div class="highlight">仍在告警 3 条：ErrorBurst（3h）、Boundary（1h）、HighCPU（10m）</div>',
    );
    expect(card.bytes).toBeLessThanOrEqual(512);
    await history.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
