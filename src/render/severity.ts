/**
 * Severity vocabulary shared by templates and digests. WeCom markdown has exactly three colours:
 * `warning` (orange-red), `comment` (grey) and `info` (green).
 */
export type FontColor = 'warning' | 'comment' | 'info';

const CRITICAL = new Set(['critical', 'disaster', 'emergency', 'fatal', 'high', 'p0', 'p1', 'error', 'page']);
const WARNING = new Set(['warning', 'warn', 'average', 'medium', 'major', 'p2', 'p3']);
const INFO = new Set(['info', 'information', 'low', 'notice']);

/** severityColor maps a severity to a WeCom font colour (critical/warning → warning, others → comment). */
export function severityColor(severity: string | undefined): FontColor {
  const key = (severity ?? '').toLowerCase();
  if (CRITICAL.has(key) || WARNING.has(key)) return 'warning';
  return 'comment';
}

/** severityLabel gives the Chinese label shown in messages: 严重 / 警告 / 提示, else the raw value. */
export function severityLabel(severity: string | undefined): string {
  const key = (severity ?? '').toLowerCase();
  if (CRITICAL.has(key)) return '严重';
  if (WARNING.has(key)) return '警告';
  if (INFO.has(key)) return '提示';
  return severity && severity.length > 0 ? severity : '未定级';
}

/** severityRank orders severities for sorting and digests (lower = more severe). */
export function severityRank(severity: string | undefined): number {
  const key = (severity ?? '').toLowerCase();
  if (CRITICAL.has(key)) return 0;
  if (WARNING.has(key)) return 1;
  if (INFO.has(key)) return 2;
  return 3;
}
