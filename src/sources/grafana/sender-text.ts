/**
 * Grafana's own title and message of a group are worth showing only when a user wrote them. The
 * defaults (grafana/alerting `templates/default_template.go`: `__subject` = `[FIRING:N] <group label
 * values> (<other common label values>)`, `default.message` = `**Firing** Value: … Labels: - …`)
 * only repeat, raw, the labels and values the message header and lines already show.
 */

/** ownTitle: the title without its `[FIRING:N]` prefix, unless it is Grafana's default. */
export function ownTitle(title: string | undefined, groupLabels: Record<string, string>, commonLabels: Record<string, string>): string | undefined {
  const text = title?.replace(/^\s*\[(FIRING|RESOLVED)(:\d+)?\]\s*/i, '').trim();
  if (!text) return undefined;
  const values = new Set([...Object.values(groupLabels), ...Object.values(commonLabels)]);
  const tokens = text.replace(/[()]/g, ' ').split(/\s+/).filter(Boolean);
  return tokens.every((token) => values.has(token)) ? undefined : text;
}

/** ownMessage: the contact point's message, unless it is Grafana's default. */
export function ownMessage(message: string | undefined): string | undefined {
  const text = message?.trim();
  if (!text) return undefined;
  return /^\*\*(Firing|Resolved)\*\*/.test(text) && /\bLabels:/.test(text) ? undefined : text;
}
