import type { HelperOptions } from 'handlebars';
import { formatDate, humanDuration } from './time-format';
import { severityColor, severityLabel } from './severity';
import { truncateBytes } from './bytes';

/**
 * Template helpers (documented in README "Template helpers"). Helpers that need the clock or the
 * time zone read them from the render data (`@now`, `@timezone`), so one compiled template serves
 * every render and tests can pin the clock.
 */
export interface RenderData {
  now: number;
  timezone: string;
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

/** Handlebars passes its options hash as the last argument; strip it from variadic helpers. */
function args(list: unknown[]): unknown[] {
  return list.slice(0, -1);
}

export const templateHelpers: Record<string, (...args: any[]) => unknown> = {
  /** {{date startsAt}} / {{date startsAt "MM-DD HH:mm"}}: a time in the configured zone. */
  date(value: unknown, ...rest: unknown[]) {
    const options = rest[rest.length - 1] as HelperOptions;
    const format = typeof rest[0] === 'string' ? (rest[0] as string) : undefined;
    if (value === undefined || value === null || value === '') return '';
    return formatDate(value as string, dataOf(options).timezone, format);
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
  /** {{severityColor severity}}: warning | comment | info for <font color="…">. */
  severityColor: (severity: unknown) => severityColor(typeof severity === 'string' ? severity : undefined),
  /** {{severityLabel severity}}: 严重 / 警告 / 提示. */
  severityLabel: (severity: unknown) => severityLabel(typeof severity === 'string' ? severity : undefined),
  /** {{truncate text 200}}: at most N UTF-8 bytes, with `…` when cut. */
  truncate: (text: unknown, maxBytes: unknown) => truncateBytes(String(text ?? ''), Number(maxBytes) || 0),
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
  and: (...list: unknown[]) => args(list).every(Boolean),
  or: (...list: unknown[]) => args(list).some(Boolean),
  not: (value: unknown) => !value,
  /** {{default value "—"}} */
  default: (value: unknown, fallback: unknown) => (value === undefined || value === null || value === '' ? fallback : value),
  /** {{len list}} */
  len: (value: unknown) => (Array.isArray(value) ? value.length : typeof value === 'string' ? value.length : 0),
  add: (a: unknown, b: unknown) => Number(a) + Number(b),
  upper: (value: unknown) => String(value ?? '').toUpperCase(),
  lower: (value: unknown) => String(value ?? '').toLowerCase(),
};
