import type { DigestConfig } from '../config/schema';
import type { HistoryRecord, HistoryStore } from '../history/history-store';
import type { TextNotification } from '../model/notification';
import { severityLabel, severityRank } from '../render/severity';
import { formatDate, humanDuration } from '../render/time-format';
import { matchesAll } from '../routing/matchers';
import type { DigestCount, DigestFiringAlert, DigestSummary, DigestTopAlert } from './types';

/**
 * buildDigest summarizes the alert history of one period [from, to) for a digest (README "Digests").
 *
 * The unit is an alert *episode*: one alert identity (source + fingerprint) with one `startsAt`. A
 * firing alert that Alertmanager repeats every `repeat_interval`, or that both members of an HA pair
 * send, is one episode, so counts mean "how many alerts", not "how many webhook calls".
 * - `alerts`: episodes with any record in the period; `bySource` and `bySeverity` count these.
 * - `firing`: episodes that fired in the period (a firing record in it, or a resolution in it of an
 *   episode that started in it); `resolved`: episodes with a resolution in the period.
 * - `top`: alert names by episodes fired in the period (top 5), with their distinct identities.
 * - `stillFiring`: alerts whose last record before `to` says firing, looked up over the period and
 *   at least STILL_FIRING_LOOKBACK before it (sources repeat firing alerts; one never resolved and
 *   never repeated drops out after that).
 * - `mttr`: mean of endsAt − startsAt over the episodes resolved in the period.
 * Matchers see the labels plus the pseudo-labels `source` and `status` of each record.
 */
export const STILL_FIRING_LOOKBACK = 24 * 3_600_000;
const TOP = 5;
const SOURCE_LABELS: Record<string, string> = { alertmanager: 'Alertmanager', grafana: 'Grafana', kibana: 'Kibana' };
const FIRING_LISTED = 10;

export interface DigestPeriod {
  from: number;
  to: number;
}

interface Episode {
  key: string;
  first: HistoryRecord;
  firedInPeriod: boolean;
  resolution?: HistoryRecord;
  worstSeverity: string;
}

export async function buildDigest(history: HistoryStore, digest: Pick<DigestConfig, 'name' | 'matchers'>, period: DigestPeriod, now: number): Promise<DigestSummary> {
  void now; // the summary describes [from, to); `now` is for callers that render it (createdAt)
  const keep = (record: HistoryRecord) => matchesAll(digest.matchers, { ...record.labels, source: record.source, status: record.status });
  const records = (await history.received(period.from, period.to)).filter(keep);

  const episodes = new Map<string, Episode>();
  for (const record of records) {
    const key = `${record.source}\u0000${record.fingerprint}\u0000${record.startsAt}`;
    let episode = episodes.get(key);
    if (!episode) {
      episode = { key, first: record, firedInPeriod: false, worstSeverity: record.severity };
      episodes.set(key, episode);
    }
    if (severityRank(record.severity) < severityRank(episode.worstSeverity)) episode.worstSeverity = record.severity;
    if (record.status === 'firing') episode.firedInPeriod = true;
    else {
      episode.resolution ??= record;
      const started = Date.parse(record.startsAt);
      if (!Number.isNaN(started) && started >= period.from && started < period.to) episode.firedInPeriod = true;
    }
  }
  const all = [...episodes.values()];
  const fired = all.filter((episode) => episode.firedInPeriod);
  const resolved = all.filter((episode) => episode.resolution);

  const bySource = countBy(all, (episode) => episode.first.source, (key) => SOURCE_LABELS[key] ?? key);
  const rankOf = new Map(all.map((episode) => [severityLabel(episode.worstSeverity), severityRank(episode.worstSeverity)]));
  const bySeverity = countBy(all, (episode) => severityLabel(episode.worstSeverity), (key) => key).sort(
    (a, b) => rankOf.get(a.key)! - rankOf.get(b.key)! || b.count - a.count || compare(a.key, b.key),
  );
  const byStatus: DigestCount[] = [
    { key: 'firing', label: '触发', count: fired.length },
    { key: 'resolved', label: '恢复', count: resolved.length },
  ];

  const names = new Map<string, { count: number; identities: Set<string>; severity: string }>();
  for (const episode of fired) {
    const entry = names.get(episode.first.name) ?? { count: 0, identities: new Set<string>(), severity: episode.worstSeverity };
    entry.count += 1;
    entry.identities.add(`${episode.first.source}\u0000${episode.first.fingerprint}`);
    if (severityRank(episode.worstSeverity) < severityRank(entry.severity)) entry.severity = episode.worstSeverity;
    names.set(episode.first.name, entry);
  }
  const top: DigestTopAlert[] = [...names.entries()]
    .map(([name, entry]) => ({ name, count: entry.count, instances: entry.identities.size, severity: severityLabel(entry.severity), rank: severityRank(entry.severity) }))
    .sort((a, b) => b.count - a.count || a.rank - b.rank || compare(a.name, b.name))
    .slice(0, TOP)
    .map(({ rank: _rank, ...rest }) => rest);

  const since = Math.min(period.from, period.to - STILL_FIRING_LOOKBACK);
  const firingNow: DigestFiringAlert[] = (await history.latest(since, period.to))
    .filter((record) => record.status === 'firing' && keep(record))
    .map((record) => {
      const started = Date.parse(record.startsAt);
      const durationMs = Math.max(0, period.to - (Number.isNaN(started) ? record.receivedAt : started));
      return {
        name: record.name,
        source: record.source,
        severity: severityLabel(record.severity),
        ...(record.labels.instance ? { instance: record.labels.instance } : {}),
        startsAt: record.startsAt,
        firingForMs: durationMs,
        firingFor: humanDuration(durationMs),
      };
    })
    .sort((a, b) => b.firingForMs - a.firingForMs || compare(a.name, b.name));

  const resolveTimes = resolved
    .map((episode) => Date.parse(episode.resolution!.endsAt ?? '') - Date.parse(episode.resolution!.startsAt))
    .filter((ms) => Number.isFinite(ms) && ms >= 0);
  const mttrMs = resolveTimes.length > 0 ? Math.round(resolveTimes.reduce((sum, ms) => sum + ms, 0) / resolveTimes.length) : undefined;

  return {
    name: digest.name,
    label: periodLabel(period),
    from: new Date(period.from).toISOString(),
    to: new Date(period.to).toISOString(),
    alerts: all.length,
    firing: fired.length,
    resolved: resolved.length,
    bySource,
    bySeverity,
    byStatus,
    top,
    stillFiring: firingNow.slice(0, FIRING_LISTED),
    stillFiringTotal: firingNow.length,
    stillFiringMore: Math.max(0, firingNow.length - FIRING_LISTED),
    ...(mttrMs !== undefined ? { mttrMs, mttr: humanDuration(mttrMs) } : {}),
    empty: all.length === 0 && firingNow.length === 0,
  };
}

/** compare: code-unit order, the same on every host (localeCompare depends on the ICU locale). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function countBy(episodes: Episode[], keyOf: (episode: Episode) => string, labelOf: (key: string) => string): DigestCount[] {
  const counts = new Map<string, number>();
  for (const episode of episodes) counts.set(keyOf(episode), (counts.get(keyOf(episode)) ?? 0) + 1);
  return [...counts.entries()].map(([key, count]) => ({ key, label: labelOf(key), count })).sort((a, b) => b.count - a.count || compare(a.key, b.key));
}

/** periodLabel names the digest by its length: 时报 (≤ 1h), 日报 (about a day), 周报 (about a week), else 摘要. */
export function periodLabel(period: DigestPeriod): string {
  const hours = (period.to - period.from) / 3_600_000;
  if (hours <= 1) return '告警时报';
  if (hours >= 20 && hours <= 28) return '告警日报';
  if (hours >= 6 * 24 && hours <= 8 * 24) return '告警周报';
  return '告警摘要';
}

/** digestTitle: `告警时报 03-18 09:00–10:00` (the end keeps its date when the period spans days). */
export function digestTitle(summary: Pick<DigestSummary, 'label' | 'from' | 'to'>, timezone: string): string {
  const sameDay = formatDate(summary.from, timezone, 'YYYY-MM-DD') === formatDate(summary.to, timezone, 'YYYY-MM-DD');
  return `${summary.label} ${formatDate(summary.from, timezone, 'MM-DD HH:mm')}–${formatDate(summary.to, timezone, sameDay ? 'HH:mm' : 'MM-DD HH:mm')}`;
}

/**
 * digestNotification wraps a summary as the queued notification (kind 'message', source 'digest').
 * `content` is a one-line plain summary, for templates that do not know `digest`.
 */
export function digestNotification(summary: DigestSummary, digest: Pick<DigestConfig, 'name' | 'receiver' | 'template'>, timezone: string, now: number): TextNotification {
  const parts = [`告警 ${summary.alerts} 条`, `触发 ${summary.firing}`, `恢复 ${summary.resolved}`, `仍在告警 ${summary.stillFiringTotal}`];
  if (summary.mttr) parts.push(`平均恢复 ${summary.mttr}`);
  return {
    kind: 'message',
    source: 'digest',
    receiver: digest.receiver,
    template: digest.template,
    title: digestTitle(summary, timezone),
    content: summary.empty ? '本时段没有告警' : parts.join('，'),
    labels: { digest: digest.name },
    createdAt: new Date(now).toISOString(),
    digest: summary,
  };
}
