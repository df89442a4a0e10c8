import type { Alert } from '../model/alert';
import { severityStyle, severityValue, type SeverityScheme, type SeverityStyle } from './severity';

/**
 * AlertMark is the badge an alert line starts with: what state it is in, in emoji, words, colour and
 * weight together (WeCom markdown has only three colours). Firing alerts wear their severity; an
 * evaluation problem (Grafana No Data / Error) is not a threshold breach and says so; a resolution
 * with a state reason (rule deleted, series missing…) ended without recovering, so it is not green.
 */
export type AlertMark = SeverityStyle;

const PROBLEM_MARKS: Record<'nodata' | 'error', Omit<AlertMark, 'rank'>> = {
  nodata: { key: 'nodata', label: '无数据', emoji: '⚠️', color: 'comment', bold: true },
  error: { key: 'error', label: '查询错误', emoji: '⚠️', color: 'warning', bold: true },
};
const ENDED: Omit<AlertMark, 'rank'> = { key: 'ended', label: '已结束', emoji: '⚪', color: 'comment', bold: false };
const RESOLVED: Omit<AlertMark, 'rank'> = { key: 'resolved', label: '已恢复', emoji: '✅', color: 'info', bold: false };

/** markOf gives the badge of one alert under a severity scheme. */
export function markOf(alert: Pick<Alert, 'status' | 'severity' | 'labels' | 'problem' | 'resolvedReason'>, scheme: SeverityScheme): AlertMark {
  const levels = scheme.levels.length;
  if (alert.status === 'resolved') return alert.resolvedReason ? { ...ENDED, rank: levels + 3 } : { ...RESOLVED, rank: levels + 4 };
  if (alert.problem) return { ...PROBLEM_MARKS[alert.problem], rank: levels + (alert.problem === 'error' ? 1 : 2) };
  const style = severityStyle(scheme, severityValue(scheme, alert.severity, alert.labels));
  return style;
}

/** MarkCount: one bucket of a header's count line (`🔴 严重 30`). */
export interface MarkCount extends AlertMark {
  count: number;
}

/** countMarks counts alerts per badge, most severe first (the header's "how bad"). */
export function countMarks(marks: readonly AlertMark[]): MarkCount[] {
  const buckets = new Map<string, MarkCount>();
  for (const mark of marks) {
    const bucket = buckets.get(mark.key);
    if (bucket) bucket.count += 1;
    else buckets.set(mark.key, { ...mark, count: 1 });
  }
  return [...buckets.values()].sort((a, b) => a.rank - b.rank);
}

/** countsText renders counts as one line: `🔴 严重 30 · 🟠 警告 120 · ✅ 恢复 50` (恢复, not 已恢复, in counts). */
export function countsText(counts: readonly MarkCount[]): string {
  return counts.map((count) => `${count.emoji} ${count.key === 'resolved' ? '恢复' : count.label} ${count.count}`.trim()).join(' · ');
}
