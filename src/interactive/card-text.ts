import type { Alert } from '../model/alert';
import { truncateBytes } from '../render/bytes';
import { sanitizeValue } from '../render/sanitize';
import { severityLabel, severityRank } from '../render/severity';
import { formatDate } from '../render/time-format';

/**
 * Card text of an interactive card, from the normalized alert fields (SPEC §5): Chinese words,
 * severity, where (cluster / namespace / instance labels), since when in `server.timezone`, and the
 * status lines after someone acted ("张三 已认领 10:32", "已静默至 14:32 by 张三"). Every value is one
 * line of plain text within the byte limits WeCom documents for template_card fields.
 */
export const CARD_FIELD_LIMITS = { keyname: 15, value: 78, buttonText: 30, replaceText: 60 } as const;

const WHERE_LABELS = ['cluster', 'namespace', 'instance'] as const;

/** one line of plain text, cut to `maxBytes`. */
export function cardText(value: string, maxBytes: number): string {
  return truncateBytes(sanitizeValue(value, 'text').replace(/\s+/g, ' ').trim(), maxBytes);
}

/** whereOf: "prod-gz / default / web-01" from the first alert that has any of those labels. */
export function whereOf(alerts: Pick<Alert, 'labels'>[]): string | undefined {
  for (const alert of alerts) {
    const parts = WHERE_LABELS.map((name) => alert.labels[name]).filter((value): value is string => Boolean(value));
    if (parts.length > 0) return parts.join(' / ') + (alerts.length > 1 ? ` 等 ${alerts.length} 条` : '');
  }
  return undefined;
}

/** worstSeverity: the most severe alert's severity label (严重 / 警告 / …). */
export function worstSeverity(alerts: Pick<Alert, 'severity'>[]): string {
  const worst = [...alerts].sort((a, b) => severityRank(a.severity) - severityRank(b.severity))[0];
  return severityLabel(worst?.severity);
}

/** sinceOf: the earliest start, "12-01 10:32" in the time zone. */
export function sinceOf(alerts: Pick<Alert, 'startsAt'>[], timezone: string): string | undefined {
  const starts = alerts.map((alert) => alert.startsAt).filter((value) => !Number.isNaN(Date.parse(value))).sort();
  return starts[0] ? formatDate(starts[0], timezone, 'MM-DD HH:mm') : undefined;
}

/** ackLine: "张三 已认领 10:32". */
export function ackLine(user: string, at: number, timezone: string): string {
  return `${user} 已认领 ${formatDate(at, timezone, 'HH:mm')}`;
}

/** silenceLine: "已静默至 14:32 by 张三" (with the date when it ends on another day). */
export function silenceLine(user: string, at: number, until: number, timezone: string): string {
  const sameDay = formatDate(at, timezone, 'YYYY-MM-DD') === formatDate(until, timezone, 'YYYY-MM-DD');
  return `已静默至 ${formatDate(until, timezone, sameDay ? 'HH:mm' : 'MM-DD HH:mm')} by ${user}`;
}

/** durationLabel: 3600000 → "1h", 5400000 → "90m" (button text and keys). */
export function durationLabel(ms: number): string {
  if (ms % 86_400_000 === 0 && ms >= 86_400_000 * 2) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.round(ms / 1000)}s`;
}
