import { DEFAULT_SEVERITY_LEVELS } from '../config/messages-schema';

/**
 * Severity vocabulary shared by templates, ordering and digests. WeCom markdown has exactly three
 * colours — `warning` (orange-red), `comment` (grey) and `info` (green) — so a level is told apart by
 * emoji, weight and colour together, never by the word alone. The levels come from config
 * (`messages.severity`, README "Message layout"); this module only interprets them.
 */
export type FontColor = 'warning' | 'comment' | 'info';

export interface SeverityStyle {
  /** Level key (`critical`, `warning`, `info`, or `unknown`). */
  key: string;
  label: string;
  emoji: string;
  color: FontColor;
  bold: boolean;
  /** 0 = most severe; unknown severities rank after every configured level. */
  rank: number;
}

export interface SeverityLevelConfig {
  key: string;
  values: readonly string[];
  label: string;
  emoji: string;
  color: FontColor;
  bold: boolean;
}

export interface SeverityScheme {
  /** Labels read when the alert carries no severity of its own. */
  labels: readonly string[];
  levels: readonly SeverityStyle[];
  byValue: Map<string, SeverityStyle>;
}

/** createSeverityScheme indexes configured levels by value (case-insensitive), in config order = rank. */
export function createSeverityScheme(config: { labels: readonly string[]; levels: readonly SeverityLevelConfig[] }): SeverityScheme {
  const levels = config.levels.map((level, rank) => ({ key: level.key, label: level.label, emoji: level.emoji, color: level.color, bold: level.bold, rank }));
  const byValue = new Map<string, SeverityStyle>();
  config.levels.forEach((level, index) => level.values.forEach((value) => byValue.set(value.toLowerCase(), levels[index])));
  return { labels: config.labels, levels, byValue };
}

export const DEFAULT_SEVERITY_SCHEME = createSeverityScheme({ labels: ['severity', 'level', 'priority'], levels: DEFAULT_SEVERITY_LEVELS });

/** severityValue: the alert's own severity, else the first configured label that has a value. */
export function severityValue(scheme: SeverityScheme, severity: string | undefined, labels?: Record<string, string>): string {
  if (severity) return severity;
  for (const name of scheme.labels) if (labels?.[name]) return labels[name];
  return '';
}

/** severityStyle: how a severity value looks; unknown or missing values get a neutral style with the raw word. */
export function severityStyle(scheme: SeverityScheme, value: string | undefined): SeverityStyle {
  const known = scheme.byValue.get((value ?? '').trim().toLowerCase());
  if (known) return known;
  return { key: 'unknown', label: value && value.trim() ? value.trim() : '未定级', emoji: '⚪', color: 'comment', bold: false, rank: scheme.levels.length };
}

/** severityColor maps a severity to a WeCom font colour with the default scheme. */
export function severityColor(severity: string | undefined, scheme = DEFAULT_SEVERITY_SCHEME): FontColor {
  return severityStyle(scheme, severity).color;
}

/** severityLabel gives the words shown in messages (严重 / 警告 / 提示), else the raw value. */
export function severityLabel(severity: string | undefined, scheme = DEFAULT_SEVERITY_SCHEME): string {
  return severityStyle(scheme, severity).label;
}

/** severityRank orders severities for sorting and digests (lower = more severe). */
export function severityRank(severity: string | undefined, scheme = DEFAULT_SEVERITY_SCHEME): number {
  return severityStyle(scheme, severity).rank;
}
