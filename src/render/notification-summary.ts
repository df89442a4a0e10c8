import type { AlertNotification } from '../model/notification';
import { countMarks, countsText, markOf, type AlertMark, type MarkCount } from './alert-mark';
import type { MessageStyle } from './message-style';
import { sanitizeUrl, sanitizeValue, type SanitizeMode } from './sanitize';

/**
 * NotificationSummary answers, for a whole notification (not just the part being rendered), the
 * header's questions: what is broken (title), where (group labels, then the configured where-labels
 * that all alerts share), how bad (counts per badge) and where to click. It also finds which labels
 * differ between the alerts, which is all a storm line needs to show. Computed once per
 * notification and format (the packer renders many slices of one notification).
 */
export interface WhereLabel {
  name: string;
  value: string;
}

export interface NotificationSummary {
  title: string;
  where: WhereLabel[];
  /** Where-values joined: `prod-bj · node-exporter`. */
  whereText: string;
  counts: MarkCount[];
  countsText: string;
  /** The most severe badge of the notification (what still fires wins over resolutions). */
  worst: AlertMark;
  /** Alert names that appear, in order (`names.length > 1` → the title says `等 N 种`). */
  names: string[];
  /** Labels whose values differ between alerts, most identifying first (at most 3). */
  differing: string[];
  /**
   * A domain suffix every value of the first differing identity label shares (`.prod-bj.example.cn:9100`):
   * shown once in "where" as `*.prod-bj.example.cn:9100`, cut from each line so a storm line stays one
   * phone line.
   */
  sharedSuffix?: { label: string; suffix: string };
  /** Sender's own group message (Grafana contact point `message`), sanitized; shown in part 1. */
  senderMessage?: string;
  /** Where "see all" points: the sender's UI. */
  link?: string;
}

const SOURCE_TITLES: Record<string, string> = { alertmanager: 'Alertmanager', grafana: 'Grafana', kibana: 'Kibana' };
/** Labels that identify one object; when every alert shares one, it belongs to "where". */
const IDENTITY_LABELS = ['instance', 'pod', 'host', 'hostname', 'node', 'container', 'device'];
/** Labels that are never "where" nor "what differs": the name and severity are shown otherwise. */
const NOT_WHERE = new Set(['alertname', '__name__', 'rulename', 'grafana_folder', 'ref_id', 'datasource_uid']);
const MAX_DIFFERING = 3;

const cache = new WeakMap<AlertNotification, Map<string, NotificationSummary>>();

/** summarize computes (or returns the cached) summary of a notification for one sanitize mode. */
export function summarize(notification: AlertNotification, style: MessageStyle, mode: SanitizeMode): NotificationSummary {
  let byMode = cache.get(notification);
  if (!byMode) cache.set(notification, (byMode = new Map()));
  let summary = byMode.get(mode);
  if (!summary) byMode.set(mode, (summary = compute(notification, style, mode)));
  return summary;
}

function compute(notification: AlertNotification, style: MessageStyle, mode: SanitizeMode): NotificationSummary {
  const alerts = notification.alerts;
  // Everything below works on sanitized, trimmed text, so what counts as "shared" or "differing" is
  // what a reader sees (two values that render alike are alike), and whitespace is no value.
  const clean = (value: string) => sanitizeValue(value, mode).trim();
  const labelsOf = alerts.map((alert) => cleanLabels(alert.labels, clean));
  // An unknown severity's badge label is its raw value: payload text, sanitized like any other.
  const marks = alerts.map((alert) => markOf(alert, style.severity)).map((mark) => ({ ...mark, label: clean(mark.label) }));
  const counts = countMarks(marks);
  const names = [...new Set(alerts.map((alert) => clean(alert.name)))];
  const severityLabels = new Set(style.severity.labels);
  const skip = (name: string) => NOT_WHERE.has(name) || severityLabels.has(name);
  const shared = sharedLabels(labelsOf);
  const title = titleOf(notification, names, clean);
  const group = cleanLabels(notification.groupLabels, clean);
  const common = cleanLabels(notification.commonLabels, clean);
  // A sender's own title (Grafana's default is built from label values) already says part of where.
  const where = whereOf(group, common, style, shared, skip, title, title !== names[0] && Boolean(notification.senderTitle));
  const differing = differingLabels(labelsOf, shared, new Set(where.map((label) => label.name)), skip);
  const suffix = differing[0] && IDENTITY_LABELS.includes(differing[0]) ? domainSuffix(labelsOf.map((labels) => labels[differing[0]])) : undefined;
  // Only beside other where-values: the suffix alone must not decide whether a where line exists.
  if (suffix && where.length > 0) where.push({ name: differing[0], value: `…${suffix}` });
  return {
    title,
    where,
    whereText: where.map((label) => label.value).join(' · '),
    counts,
    countsText: countsText(counts),
    worst: counts[0] ?? markOf({ status: 'resolved', severity: '', labels: {} }, style.severity),
    names,
    differing,
    sharedSuffix: suffix ? { label: differing[0], suffix } : undefined,
    senderMessage: notification.senderMessage ? clean(notification.senderMessage) || undefined : undefined,
    link: sanitizeUrl(notification.externalURL) ?? sanitizeUrl(alerts[0]?.links.source),
  };
}

/** cleanLabels: sanitized names and values; labels whose value is only whitespace are left out. */
function cleanLabels(labels: Record<string, string>, clean: (value: string) => string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(labels)) {
    const text = clean(value);
    if (text) out[clean(name)] = text;
  }
  return out;
}

/** The sender's own title (sources set it only when a user wrote one), else the alert names. */
function titleOf(notification: AlertNotification, names: string[], clean: (value: string) => string): string {
  const sender = clean(notification.senderTitle ?? '');
  if (sender) return sender;
  if (names.length === 1) return names[0];
  if (names.length === 0 || (names.length === 1 && names[0] === '')) return SOURCE_TITLES[notification.source] ?? notification.source;
  return `${names[0]} 等 ${names.length} 种`;
}

/** sharedLabels: labels with the same value on every alert (the payload's commonLabels may be absent). */
function sharedLabels(labelsOf: readonly Record<string, string>[]): Record<string, string> {
  if (labelsOf.length === 0) return {};
  const shared: Record<string, string> = { ...labelsOf[0] };
  for (const labels of labelsOf) {
    for (const name of Object.keys(shared)) if (labels[name] !== shared[name]) delete shared[name];
  }
  return shared;
}

function whereOf(group: Record<string, string>, common: Record<string, string>, style: MessageStyle, shared: Record<string, string>, skip: (name: string) => boolean, title: string, senderTitle: boolean): WhereLabel[] {
  const where: WhereLabel[] = [];
  const seenValues = new Set<string>();
  const add = (name: string, value: string | undefined) => {
    if (!value || skip(name) || seenValues.has(value) || value === title || (senderTitle && title.includes(value))) return;
    seenValues.add(value);
    where.push({ name, value });
  };
  for (const [name, value] of Object.entries(group)) add(name, value);
  for (const name of style.whereLabels) add(name, shared[name] ?? common[name]);
  const identity = IDENTITY_LABELS.find((name) => shared[name]);
  if (identity) add(identity, shared[identity]);
  return where;
}

function differingLabels(labelsOf: readonly Record<string, string>[], shared: Record<string, string>, inWhere: Set<string>, skip: (name: string) => boolean): string[] {
  if (labelsOf.length < 2) return [];
  const names = new Set<string>();
  for (const labels of labelsOf) for (const name of Object.keys(labels)) if (!(name in shared) && !inWhere.has(name) && !skip(name)) names.add(name);
  const rank = (name: string) => {
    const index = IDENTITY_LABELS.indexOf(name);
    return index === -1 ? IDENTITY_LABELS.length : index;
  };
  return [...names].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0)).slice(0, MAX_DIFFERING);
}

/** Shortest shared suffix worth factoring out: shorter ones save too little to be worth the indirection. */
const MIN_SUFFIX = 8;

/**
 * domainSuffix: the longest suffix, starting at a `.`, that every value has after a non-empty
 * head (`web-01.prod-bj.example.cn:9100` and `app-02.prod-bj.example.cn:9100` → `.prod-bj.example.cn:9100`).
 */
export function domainSuffix(values: readonly (string | undefined)[]): string | undefined {
  if (values.length < 2 || values.some((value) => !value)) return undefined;
  let common = values[0]!;
  for (const value of values) {
    let length = 0;
    while (length < common.length && length < value!.length && common[common.length - 1 - length] === value![value!.length - 1 - length]) length++;
    common = common.slice(common.length - length);
  }
  const dot = common.indexOf('.');
  if (dot === -1) return undefined;
  const suffix = common.slice(dot);
  if (suffix.length < MIN_SUFFIX || values.some((value) => value!.length <= suffix.length)) return undefined;
  return suffix;
}
