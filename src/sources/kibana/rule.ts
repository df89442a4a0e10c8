import { z } from 'zod';
import type { Alert, ParsedPayload } from '../../model/alert';
import { identityFingerprint } from '../../model/fingerprint';
import { cleanStringMap, isValidDate, nonEmpty, optionalDate, singleAlertPayload, toIso } from '../common';
import { payloadError } from '../zod-error';
import { sampleDocuments, sampleLines, withSamples } from './sample-hits';

/**
 * Kibana alerting rule, rendered from our published webhook connector bodies
 * (examples/kibana/kibana-webhook-body.mustache, schema_version 2; the older v1 body of payloads.md
 * §3.2, examples/kibana/kibana-webhook-body-v1.mustache, keeps working). Every placeholder arrives as
 * a JSON string and a missing variable renders as `""`, so `""` means absent and numbers are read
 * leniently. v2 sends a few key fields of each hit as one `hits` text instead of v1's whole context
 * (`context_json`, which embeds up to 100 whole documents).
 */

/** looseText: a Kibana-rendered scalar as a trimmed-nonempty string, or undefined for `""`/null/absent. */
export const looseText = z
  .union([z.string(), z.number(), z.boolean(), z.null()], { message: 'expected a string' })
  .optional()
  .transform((value) => (value === undefined || value === null ? undefined : nonEmpty(String(value))));

/** requiredText: like looseText, but an empty rendering is an error naming the likely cause. */
const requiredText = (hint: string) =>
  z
    .union([z.string(), z.number()], { message: 'expected a string' })
    .transform((value) => String(value).trim())
    .refine((value) => value !== '', { message: `required, but empty (${hint})` });

/** looseDate returns the first candidate that parses as a date, as ISO 8601 (`2025-03-18T02:15Z` works too). */
export function looseDate(...candidates: Array<string | undefined>): string | undefined {
  for (const candidate of candidates) if (candidate && isValidDate(candidate)) return toIso(candidate);
  return undefined;
}

const contextSchema = z.object({
  title: looseText,
  message: looseText,
  reason: looseText,
  conditions: looseText,
  group: looseText,
  value: looseText,
  date: optionalDate(looseText),
  link: looseText,
  alert_details_url: looseText,
  view_in_app_url: looseText,
});

const payloadSchema = z.object({
  source: z.literal('kibana', { message: 'must be "kibana"' }).optional(),
  schema_version: looseText,
  date: optionalDate(looseText),
  kibana_base_url: looseText,
  rule: z.object({
    id: requiredText('{{rule.id}} needs Kibana 7.13 or newer'),
    name: looseText,
    type: looseText,
    space_id: looseText,
    tags: z.union([z.string(), z.array(z.string()), z.null()], { message: 'expected a comma-separated string' }).optional(),
    url: looseText,
  }),
  alert: z.object({
    id: looseText,
    uuid: looseText,
    action_group: requiredText('{{alert.actionGroup}} needs Kibana 7.13 or newer'),
    action_group_name: looseText,
    flapping: looseText,
    consecutive_matches: looseText,
  }),
  context: contextSchema.nullish(),
  // v2: `{{#context.hits}}{{_source.host.name}} {{_source.message}}\n{{/context.hits}}`, one line per hit.
  hits: looseText,
  // `{{context}}` renders the whole context as JSON text; an unquoted object is tolerated too.
  context_json: z.union([z.string(), z.record(z.string(), z.unknown()), z.null()], { message: 'expected a JSON string' }).optional(),
});

type RulePayload = z.output<typeof payloadSchema>;

/** parseKibanaRule validates and normalizes one Kibana rule action; `recovered` → resolved, any other group → firing. */
export function parseKibanaRule(body: unknown, now: Date): ParsedPayload {
  const result = payloadSchema.safeParse(body);
  if (!result.success) throw payloadError(result.error, 'Kibana rule connector body');
  return singleAlertPayload(normalize(result.data, now), result.data.kibana_base_url);
}

function normalize(payload: RulePayload, now: Date): Alert {
  const { rule, alert } = payload;
  const decoded = decodeContextJson(payload.context_json);
  const context = mergeContext(payload.context ?? {}, decoded);
  const resolved = alert.action_group.toLowerCase() === 'recovered';
  const tags = parseTags(rule.tags);
  const labels = cleanStringMap({
    ...tags.labels,
    ...(tags.bare.length > 0 ? { tags: tags.bare.join(',') } : {}),
    ...(rule.type ? { rule_type: rule.type } : {}),
    ...(rule.space_id ? { space_id: rule.space_id } : {}),
    ...(context.group ? { group: context.group } : {}),
  });
  const name = rule.name ?? rule.id;
  const summary = context.title ?? name;
  // Kibana's own line breaks are kept (the index-threshold message is a `- Value: …` list, for instance).
  const samples = payload.hits !== undefined ? sampleLines(payload.hits) : sampleDocuments(decoded.hits);
  const description = withSamples(context.message ?? context.reason ?? context.conditions ?? '', samples);
  // title/message are already summary/description, date/link/view_in_app_url are startsAt and links.
  const annotations = compact({
    summary,
    description,
    reason: context.reason,
    conditions: context.conditions,
    value: context.value,
    group: context.group,
    alert_details_url: context.alert_details_url,
    action_group: alert.action_group,
    action_group_name: alert.action_group_name,
    alert_uuid: alert.uuid,
    flapping: alert.flapping,
  });
  const nowIso = now.toISOString();
  return {
    source: 'kibana',
    status: resolved ? 'resolved' : 'firing',
    name,
    severity: (labels.severity ?? '').toLowerCase(),
    summary,
    description,
    labels,
    annotations,
    startsAt: looseDate(context.date, payload.date) ?? nowIso,
    endsAt: resolved ? (looseDate(payload.date, context.date) ?? nowIso) : undefined,
    fingerprint: identityFingerprint({ rule: rule.id, alert: alert.id ?? '' }),
    value: context.value,
    links: { source: rule.url ?? context.link, dashboard: context.view_in_app_url },
  };
}

type Context = Partial<Record<keyof z.output<typeof contextSchema>, string>>;

/** JSON_KEYS maps the decoded `{{context}}` (Kibana's camelCase) onto the body's snake_case keys. */
const JSON_KEYS: Record<keyof Context, string> = {
  title: 'title',
  message: 'message',
  reason: 'reason',
  conditions: 'conditions',
  group: 'group',
  value: 'value',
  date: 'date',
  link: 'link',
  alert_details_url: 'alertDetailsUrl',
  view_in_app_url: 'viewInAppUrl',
};

/** mergeContext fills fields missing from the rendered `context` with scalars from the decoded `context_json`. */
function mergeContext(context: Context, decoded: Record<string, unknown>): Context {
  const out: Context = {};
  for (const key of Object.keys(JSON_KEYS) as Array<keyof Context>) {
    const raw = decoded[JSON_KEYS[key]];
    const fallback = typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean' ? nonEmpty(String(raw)) : undefined;
    const value = context[key] ?? fallback;
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** decodeContextJson decodes `context_json`; `""` (7.x recoveries) and invalid JSON yield `{}`. */
function decodeContextJson(raw: string | Record<string, unknown> | null | undefined): Record<string, unknown> {
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== 'string') return raw;
  if (raw.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** parseTags splits `mysql,severity:critical,team:dba`: `key:value` tags become labels, bare tags are kept in order. */
export function parseTags(tags: string | string[] | null | undefined): { labels: Record<string, string>; bare: string[] } {
  const list = Array.isArray(tags) ? tags : (tags ?? '').split(',');
  const labels: Record<string, string> = {};
  const bare: string[] = [];
  for (const tag of list.map((item) => item.trim()).filter((item) => item !== '')) {
    const colon = tag.indexOf(':');
    const key = colon > 0 ? tag.slice(0, colon).trim() : '';
    const value = colon > 0 ? tag.slice(colon + 1).trim() : '';
    if (key && value) labels[key] = value;
    else bare.push(tag);
  }
  return { labels: cleanStringMap(labels), bare };
}

function compact(map: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(map)) if (value !== undefined && value !== '') out[key] = value;
  return out;
}
