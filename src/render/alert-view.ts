import type { Alert, AlertLinks } from '../model/alert';
import { markOf, type AlertMark } from './alert-mark';
import type { MessageStyle } from './message-style';
import { readableValue } from './readable-value';
import { sanitizeRecord, sanitizeUrl, sanitizeValue, type SanitizeMode } from './sanitize';

/**
 * AlertView: an alert as templates see it — the model's fields with every payload string sanitized,
 * plus what the layout needs (README "Template context"): its badge, what distinguishes it from the
 * other alerts of its notification, a readable value and the description's own lines.
 */
export interface AlertView extends Alert {
  /** Badge: severity, or no-data / query error, ended, resolved (alert-mark.ts). */
  mark: AlertMark;
  /** Values of the labels that differ between the notification's alerts (`web-01:9100 /data`). */
  distinct: string;
  /** `value` made readable (`B=92.35`, the threshold's 0/1 dropped). */
  valueText?: string;
  /** The description split on its own line breaks (Kibana multi-line messages), blank runs folded. */
  descriptionLines: string[];
}

/** Labels shown bare in `distinct` (the value speaks for itself); others as `name=value`. */
const BARE = new Set(['instance', 'pod', 'host', 'hostname', 'node', 'container', 'device']);
const MAX_DESCRIPTION_LINES = 20;

/** viewOf sanitizes one alert for a format and adds its layout fields. */
export function viewOf(alert: Alert, mode: SanitizeMode, style: MessageStyle, differing: readonly string[], sharedSuffix?: { label: string; suffix: string }): AlertView {
  const links: AlertLinks = {};
  for (const [key, url] of Object.entries(alert.links) as [keyof AlertLinks, string | undefined][]) {
    const safe = sanitizeUrl(url);
    if (safe) links[key] = safe;
  }
  // Whitespace-only payload text is no text: trimmed so a template's {{#if}} sees it as absent.
  const clean = (value: string) => sanitizeValue(value, mode).trim();
  const value = alert.value === undefined ? undefined : clean(alert.value) || undefined;
  const mark = markOf(alert, style.severity);
  return {
    source: alert.source,
    status: alert.status,
    name: clean(alert.name),
    severity: clean(alert.severity),
    summary: clean(alert.summary),
    description: clean(alert.description),
    labels: sanitizeRecord(alert.labels, mode),
    annotations: sanitizeRecord(alert.annotations, mode),
    startsAt: alert.startsAt,
    endsAt: alert.endsAt,
    fingerprint: alert.fingerprint,
    value,
    links,
    resolvedReason: alert.resolvedReason === undefined ? undefined : clean(alert.resolvedReason),
    problem: alert.problem,
    errorText: alert.errorText === undefined ? undefined : clean(alert.errorText),
    // An unknown severity is shown as its raw value: payload text like any other.
    mark: { ...mark, label: clean(mark.label) },
    distinct: differing
      .map((name) => {
        // `differing` and the suffix are in sanitized terms (notification-summary.ts).
        // Label names rarely need sanitizing: look the name up directly before scanning.
        const label = Object.hasOwn(alert.labels, name) ? name : Object.keys(alert.labels).find((key) => clean(key) === name);
        let value = label === undefined ? '' : clean(alert.labels[label]);
        if (sharedSuffix?.label === name && value.endsWith(sharedSuffix.suffix)) value = value.slice(0, -sharedSuffix.suffix.length);
        if (!value) return '';
        return BARE.has(name) ? value : `${name}=${value}`;
      })
      .filter(Boolean)
      .join(' '),
    valueText: readableValue(value),
    descriptionLines: linesOf(alert.description, mode),
  };
}

function linesOf(text: string, mode: SanitizeMode): string[] {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => sanitizeValue(line, mode).trim())
    .filter((line, index, all) => line !== '' || (index > 0 && all[index - 1] !== ''))
    .filter((line, index, all) => !(line === '' && index === all.length - 1))
    .slice(0, MAX_DESCRIPTION_LINES);
}
