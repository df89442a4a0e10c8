import type { HelperOptions } from 'handlebars';
import { formatDate, formatWhen, humanDuration, yearOf } from './time-format';
import { severityStyle } from './severity';
import { truncateBytes, truncateBytesSaying } from './bytes';
import { DEFAULT_MESSAGE_STYLE, type MessageStyle } from './message-style';

/**
 * Template helpers (documented in README "Template helpers"). Helpers that need the clock or the
 * time zone read them from the render data (`@now`, `@timezone`), so one compiled template serves
 * every render and tests can pin the clock.
 */
export interface RenderData {
  now: number;
  timezone: string;
  /** The configured message style (severity scheme); default when absent. */
  style?: MessageStyle;
}

/** An ISO 8601 instant with a zone (Z or ±hh:mm), as senders put them into message text. */
const ISO_INSTANT = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})\b/g;

/** Below this budget a "已截断 N 字节" marker would eat the field, so a bare `…` marks the cut. */
const SAYING_MARKER_FROM = 120;

/** truncateForTemplate: the `truncate` helper's rule (bytes, a marker that says what was cut). */
export function truncateForTemplate(text: string, maxBytes: number): string {
  return maxBytes >= SAYING_MARKER_FROM ? truncateBytesSaying(text, maxBytes) : truncateBytes(text, maxBytes);
}

/**
 * clipLines keeps at most `maxLines` lines, each cut to `maxLineBytes` (marker says how much), and
 * ends with `…（另有 N 行）` when lines were left out. Bounded by counts, not by total bytes, so a
 * message's line structure depends on the payload's line count only, never on how long values are.
 */
export function clipLines(lines: readonly string[], maxLines: number, maxLineBytes: number): string[] {
  const kept = lines.slice(0, Math.max(0, maxLines)).map((line) => truncateForTemplate(line, maxLineBytes));
  if (lines.length > kept.length) kept.push(`…（另有 ${lines.length - kept.length} 行）`);
  return kept;
}

/** nonZeroDuration: '' for under a second (unknown or same start and end), so templates can omit it. */
function nonZeroDuration(ms: number): string {
  return Number.isFinite(ms) && ms >= 1000 ? humanDuration(ms) : '';
}

const STATE_REASONS: Record<string, string> = {
  MissingSeries: '数据缺失',
  RuleDeleted: '规则已删除',
  Paused: '规则已暂停',
  Updated: '规则已更新',
  NoData: '无数据',
  Error: '查询出错',
};

/** stateReasonLabel: Chinese words for Grafana state reasons, keeping the original for searching. */
export function stateReasonLabel(reason: string): string {
  const key = Object.keys(STATE_REASONS).find((name) => reason.startsWith(name));
  return key ? `${STATE_REASONS[key]}·${reason}` : reason;
}

function dataOf(options: HelperOptions): RenderData {
  return options.data as RenderData;
}

function schemeOf(options: HelperOptions) {
  return (dataOf(options).style ?? DEFAULT_MESSAGE_STYLE).severity;
}

/** Handlebars passes its options hash as the last argument; strip it from variadic helpers. */
function args(list: unknown[]): unknown[] {
  return list.slice(0, -1);
}

/** everyArg: all arguments before the options hash are truthy (`and`; no copy, it runs per alert line). */
function everyArg(list: unknown[]): boolean {
  for (let i = 0; i < list.length - 1; i++) if (!list[i]) return false;
  return true;
}

/** someArg: any argument before the options hash is truthy (`or`). */
function someArg(list: unknown[]): boolean {
  for (let i = 0; i < list.length - 1; i++) if (list[i]) return true;
  return false;
}

export const templateHelpers: Record<string, (...args: any[]) => unknown> = {
  /**
   * {{date startsAt}} / {{date startsAt "MM-DD HH:mm"}}: a time in the configured zone. A format
   * without the year gets it in front when the date is not in the current year, so an old or a
   * far-future date is never read as this year's.
   */
  date(value: unknown, ...rest: unknown[]) {
    const options = rest[rest.length - 1] as HelperOptions;
    let format = typeof rest[0] === 'string' ? (rest[0] as string) : undefined;
    if (value === undefined || value === null || value === '') return '';
    const { timezone, now } = dataOf(options);
    if (format && !format.includes('YYYY') && format.startsWith('MM') && yearOf(value as string, timezone) !== yearOf(now, timezone)) format = `YYYY-${format}`;
    return formatDate(value as string, timezone, format);
  },
  /**
   * {{localTimes line}}: ISO 8601 instants inside payload text (Kibana's `Timestamp: 2025-03-18T03:02:11.904Z`)
   * rewritten in the configured zone, so a message never shows UTC beside local times.
   */
  localTimes(text: unknown, options: HelperOptions) {
    const { timezone } = dataOf(options);
    return String(text ?? '').replace(ISO_INSTANT, (match) => formatDate(match, timezone, 'YYYY-MM-DD HH:mm:ss'));
  },
  /** {{when startsAt}}: `10:13` today, `03-17 10:13` this year, `2024-03-17 10:13` otherwise. */
  when(value: unknown, options: HelperOptions) {
    if (value === undefined || value === null || value === '') return '';
    const { timezone, now } = dataOf(options);
    return formatWhen(value as string, timezone, now);
  },
  /** {{since startsAt}}: how long ago, e.g. `3h12m`. */
  since(value: unknown, options: HelperOptions) {
    if (!value) return '';
    return nonZeroDuration(dataOf(options).now - Date.parse(String(value)));
  },
  /** {{duration startsAt endsAt}}: time between two instants (endsAt defaults to now). */
  duration(from: unknown, ...rest: unknown[]) {
    const options = rest[rest.length - 1] as HelperOptions;
    const to = rest.length > 1 && rest[0] ? Date.parse(String(rest[0])) : dataOf(options).now;
    if (!from) return '';
    return nonZeroDuration(to - Date.parse(String(from)));
  },
  /** {{stateReason resolvedReason}}: Grafana's grafana_state_reason in words (数据缺失 / 规则已删除 …). */
  stateReason: (reason: unknown) => stateReasonLabel(String(reason ?? '')),
  /** {{severityColor severity}}: warning | comment | info for <font color="…"> (from `messages.severity`). */
  severityColor: (severity: unknown, options: HelperOptions) => severityStyle(schemeOf(options), typeof severity === 'string' ? severity : undefined).color,
  /** {{severityLabel severity}}: 严重 / 警告 / 提示 (from `messages.severity`). */
  severityLabel: (severity: unknown, options: HelperOptions) => severityStyle(schemeOf(options), typeof severity === 'string' ? severity : undefined).label,
  /** {{severityEmoji severity}}: 🔴 / 🟠 / 🔵 (from `messages.severity`). */
  severityEmoji: (severity: unknown, options: HelperOptions) => severityStyle(schemeOf(options), typeof severity === 'string' ? severity : undefined).emoji,
  /**
   * {{truncate text 200}}: at most N UTF-8 bytes. When cut it ends with `…（已截断 N 字节）`, or a bare
   * `…` for budgets under 120 bytes, where the longer marker would leave no text.
   */
  truncate: (text: unknown, maxBytes: unknown) => truncateForTemplate(String(text ?? ''), Number(maxBytes) || 0),
  /** {{#each (clip descriptionLines 12 300)}}: at most N lines of at most M bytes each, then `…（另有 K 行）`. */
  clip: (lines: unknown, maxLines: unknown, maxLineBytes: unknown) => (Array.isArray(lines) ? clipLines(lines.map(String), Number(maxLines) || 0, Number(maxLineBytes) || 0) : []),
  /** {{labelsText labels "alertname" "severity"}}: `k=v, k=v` without the named keys. */
  labelsText(labels: unknown, ...rest: unknown[]) {
    const exclude = new Set(args(rest).map(String));
    const record = (labels ?? {}) as Record<string, string>;
    return Object.keys(record)
      .filter((key) => !exclude.has(key))
      .sort()
      .map((key) => `${key}=${record[key]}`)
      .join(', ');
  },
  /** {{join list ", "}} */
  join: (list: unknown, separator: unknown) => (Array.isArray(list) ? list.join(typeof separator === 'string' ? separator : ', ') : ''),
  eq: (a: unknown, b: unknown) => a === b,
  ne: (a: unknown, b: unknown) => a !== b,
  gt: (a: unknown, b: unknown) => Number(a) > Number(b),
  lt: (a: unknown, b: unknown) => Number(a) < Number(b),
  and: (...list: unknown[]) => everyArg(list),
  or: (...list: unknown[]) => someArg(list),
  not: (value: unknown) => !value,
  /** {{default value "—"}} */
  default: (value: unknown, fallback: unknown) => (value === undefined || value === null || value === '' ? fallback : value),
  /** {{len list}} */
  len: (value: unknown) => (Array.isArray(value) ? value.length : typeof value === 'string' ? value.length : 0),
  add: (a: unknown, b: unknown) => Number(a) + Number(b),
  upper: (value: unknown) => String(value ?? '').toUpperCase(),
  lower: (value: unknown) => String(value ?? '').toLowerCase(),
};
