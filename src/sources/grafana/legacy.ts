import { z } from 'zod';
import type { Alert, ParsedPayload } from '../../model/alert';
import { identityFingerprint } from '../../model/fingerprint';
import { cleanStringMap, looseStringMap, nonEmpty, singleAlertPayload } from '../common';
import { withoutPrivate } from './unified';
import { payloadError } from '../zod-error';

/**
 * Legacy Grafana dashboard alerting (Grafana 4–10; grafana/grafana
 * `pkg/services/alerting/notifiers/webhook.go`). Grafana 4.x sent snake_case `rule_url`/`image_url`;
 * both spellings are accepted. See payloads.md §2.2.
 */
const evalMatchSchema = z.object({
  value: z.number().nullish(),
  metric: z.string().nullish(),
  tags: looseStringMap.optional(),
});

const payloadSchema = z.object({
  ruleId: z.union([z.number(), z.string()], { message: 'expected a number (the legacy rule id)' }),
  ruleName: z.string(),
  state: z.enum(['alerting', 'ok', 'no_data', 'paused', 'pending', 'unknown'], {
    message: 'must be one of alerting, ok, no_data, paused, pending, unknown (legacy Grafana alert state)',
  }),
  title: z.string().nullish(),
  message: z.string().nullish(),
  evalMatches: z.array(evalMatchSchema).nullish(),
  orgId: z.number().nullish(),
  dashboardId: z.number().nullish(),
  panelId: z.number().nullish(),
  tags: looseStringMap.optional(),
  ruleUrl: z.string().nullish(),
  rule_url: z.string().nullish(),
  imageUrl: z.string().nullish(),
  image_url: z.string().nullish(),
});

type LegacyPayload = z.output<typeof payloadSchema>;

/** NO_DATA_HINT marks a legacy `no_data` alert, which fires because the query returned nothing. */
export const NO_DATA_HINT = '无数据 (No Data)：告警查询没有返回数据';

/**
 * parseGrafanaLegacy validates and normalizes a legacy payload into one alert keyed on orgId + ruleId.
 * `paused`, `pending` and `unknown` are accepted but not delivered (`skipped` says why).
 * Legacy Grafana sends no start time, so `now` (the receive time) is used.
 */
export function parseGrafanaLegacy(body: unknown, now: Date): ParsedPayload {
  const result = payloadSchema.safeParse(body);
  if (!result.success) throw payloadError(result.error, 'legacy Grafana alert payload');
  const payload = result.data;
  if (payload.state === 'paused' || payload.state === 'pending' || payload.state === 'unknown') {
    const skipped = `Grafana legacy state "${payload.state}" is not delivered (rule "${payload.ruleName}")`;
    return { source: 'grafana', alerts: [], groupLabels: {}, commonLabels: {}, commonAnnotations: {}, truncatedAlerts: 0, skipped };
  }
  return singleAlertPayload(normalize(payload, now));
}

function normalize(payload: LegacyPayload, now: Date): Alert {
  const resolved = payload.state === 'ok';
  const noData = payload.state === 'no_data';
  const tags = withoutPrivate(payload.tags ?? {});
  const name = nonEmpty(payload.ruleName) ?? nonEmpty(payload.title) ?? '(未命名告警)';
  const labels = cleanStringMap({ ...tags, alertname: name });
  const matches = payload.evalMatches ?? [];
  // Grafana titles read `[Alerting] <rule>`; the state is shown by the message itself, so drop it.
  const summary = nonEmpty(payload.title?.replace(/^\s*\[[^\]]*\]\s*/, '')) ?? name;
  const details = nonEmpty(payload.message) ?? describeMatches(matches);
  const description = [noData ? NO_DATA_HINT : undefined, details].filter((part) => part).join('\n');
  const annotations: Record<string, string> = { summary };
  if (description) annotations.description = description;
  annotations.state = payload.state;
  const at = now.toISOString();
  return {
    source: 'grafana',
    status: resolved ? 'resolved' : 'firing',
    name,
    severity: (tags.severity ?? '').toLowerCase(),
    summary,
    description,
    labels,
    annotations,
    startsAt: at,
    endsAt: resolved ? at : undefined,
    fingerprint: identityFingerprint({ orgId: payload.orgId == null ? '' : String(payload.orgId), ruleId: String(payload.ruleId) }),
    value: formatMatches(matches),
    // A legacy no_data alert fires because the query returned nothing.
    ...(noData ? { problem: 'nodata' as const } : {}),
    links: {
      source: nonEmpty(payload.ruleUrl) ?? nonEmpty(payload.rule_url),
      image: nonEmpty(payload.imageUrl) ?? nonEmpty(payload.image_url),
    },
  };
}

/** EvalMatch: one breaching series of a legacy alert. */
export type EvalMatch = z.output<typeof evalMatchSchema>;

/**
 * VALUE_SERIES / DESCRIPTION_SERIES bound how many evalMatches are listed: a legacy rule over a
 * whole fleet sends hundreds, and listing them all would push the start time and the rule link out
 * of the 4096-byte message. The rest is counted (`…另有 295 个`).
 */
export const VALUE_SERIES = 5;
export const DESCRIPTION_SERIES = 10;

/** moreSeries says how many series were left out, in Chinese with English. */
export function moreSeries(count: number): string {
  return `…另有 ${count} 个 (and ${count} more)`;
}

function matchValue(match: EvalMatch): string {
  return match.value == null ? 'null' : String(match.value);
}

/** formatMatches renders the first evalMatches as `metric=value, …` (a null value prints `null`), then the count of the rest. */
export function formatMatches(matches: EvalMatch[]): string | undefined {
  if (matches.length === 0) return undefined;
  const shown = matches.slice(0, VALUE_SERIES).map((match) => `${match.metric ?? ''}=${matchValue(match)}`).join(', ');
  return matches.length > VALUE_SERIES ? `${shown} ${moreSeries(matches.length - VALUE_SERIES)}` : shown;
}

/** describeMatches lists the first breaching series, one per line, when the rule has no message. */
export function describeMatches(matches: EvalMatch[]): string | undefined {
  if (matches.length === 0) return undefined;
  const lines = matches.slice(0, DESCRIPTION_SERIES).map((match) => `- ${match.metric ?? ''}: ${matchValue(match)}`);
  if (matches.length > DESCRIPTION_SERIES) lines.push(`- ${moreSeries(matches.length - DESCRIPTION_SERIES)}`);
  return lines.join('\n');
}
