import { z } from 'zod';
import type { Alert, ParsedPayload } from '../../model/alert';
import { identityFingerprint } from '../../model/fingerprint';
import { cleanStringMap, nonEmpty, optionalDate, singleAlertPayload } from '../common';
import { looseDate, looseText } from './rule';
import { payloadError } from '../zod-error';

/**
 * Elasticsearch Watcher `webhook` action (payloads.md §4): our recommended body
 * (`"source":"elasticsearch-watcher"`, §4.3, examples/watcher/watch.json) and the raw
 * `{{#toJson}}ctx{{/toJson}}` context users send unprompted. Watcher has no resolve concept: every
 * message is `firing` unless the body says `"status":"resolved"` (the optional two-action pattern).
 */
const objectOrNull = (what: string) =>
  z.union([z.record(z.string(), z.unknown()), z.null()], { message: `expected an object (${what}) or null` }).optional();

const watchId = z.string({ message: 'expected a string' }).trim().min(1, { message: 'required, but empty' });

const recommendedSchema = z.object({
  source: z.literal('elasticsearch-watcher', { message: 'must be "elasticsearch-watcher"' }).optional(),
  schema_version: looseText,
  status: z.enum(['firing', 'resolved'], { message: 'must be "firing" or "resolved"' }).optional(),
  watch_id: watchId,
  execution_id: looseText,
  execution_time: optionalDate(looseText),
  triggered_time: optionalDate(looseText),
  scheduled_time: optionalDate(looseText),
  kibana_base_url: looseText,
  metadata: objectOrNull('the watch metadata'),
  payload: objectOrNull('the watch payload'),
});

/** The raw Watcher context (`Variables.java`): `id`, `watch_id`, `trigger`, `payload`, `metadata`, `vars`, `execution_time`. */
const rawContextSchema = z.object({
  id: looseText,
  watch_id: watchId,
  execution_time: optionalDate(looseText),
  trigger: z
    .union([z.object({ triggered_time: optionalDate(looseText), scheduled_time: optionalDate(looseText) }), z.null()], { message: 'expected an object' })
    .optional(),
  metadata: objectOrNull('the watch metadata'),
  payload: objectOrNull('the watch payload'),
});

/** WatcherRun is what both bodies carry about one watch execution. */
interface WatcherRun {
  status?: 'firing' | 'resolved';
  watch_id: string;
  execution_time?: string;
  triggered_time?: string;
  scheduled_time?: string;
  kibana_base_url?: string;
  metadata?: Record<string, unknown> | null;
  payload?: Record<string, unknown> | null;
}

/** parseWatcherBody validates and normalizes the recommended Watcher body. */
export function parseWatcherBody(body: unknown, now: Date): ParsedPayload {
  const result = recommendedSchema.safeParse(body);
  if (!result.success) throw payloadError(result.error, 'Elasticsearch Watcher body');
  return toPayload(result.data, now);
}

/** parseWatcherContext accepts the raw `{{#toJson}}ctx{{/toJson}}` body leniently; it is always `firing`. */
export function parseWatcherContext(body: unknown, now: Date): ParsedPayload {
  const result = rawContextSchema.safeParse(body);
  if (!result.success) throw payloadError(result.error, 'Elasticsearch Watcher context (ctx)');
  const ctx = result.data;
  return toPayload(
    {
      status: 'firing',
      watch_id: ctx.watch_id,
      execution_time: ctx.execution_time,
      triggered_time: ctx.trigger?.triggered_time,
      scheduled_time: ctx.trigger?.scheduled_time,
      metadata: ctx.metadata,
      payload: ctx.payload,
    },
    now,
  );
}

function toPayload(body: WatcherRun, now: Date): ParsedPayload {
  return singleAlertPayload(normalize(body, now), body.kibana_base_url);
}

/** TEXT_KEYS are free-text metadata keys; they become annotations, the other scalars become labels. */
const TEXT_KEYS = new Set(['summary', 'description', 'runbook_url']);

function normalize(body: WatcherRun, now: Date): Alert {
  const metadata = scalars(body.metadata ?? {});
  const labels: Record<string, string> = {};
  const annotations: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata)) (TEXT_KEYS.has(key) ? annotations : labels)[key] = value;
  labels.watch_id = body.watch_id;
  const resolved = body.status === 'resolved';
  const nowIso = now.toISOString();
  const runAt = looseDate(body.triggered_time, body.execution_time, body.scheduled_time);
  return {
    source: 'kibana',
    status: resolved ? 'resolved' : 'firing',
    name: nonEmpty(metadata.name) ?? body.watch_id,
    severity: (metadata.severity ?? '').toLowerCase(),
    summary: metadata.summary ?? '',
    description: metadata.description ?? '',
    labels: cleanStringMap(labels),
    annotations: cleanStringMap(annotations),
    startsAt: runAt ?? nowIso,
    endsAt: resolved ? (looseDate(body.execution_time, body.triggered_time) ?? nowIso) : undefined,
    // execution_id is unique per run, so it is not part of the identity (payloads.md §4.5).
    fingerprint: identityFingerprint({ watch_id: body.watch_id, dedup_key: metadata.dedup_key ?? '' }),
    value: hitsTotal(body.payload),
    links: { runbook: nonEmpty(metadata.runbook_url) },
  };
}

/** scalars keeps the string, number and boolean entries of the watch metadata, stringified. */
function scalars(map: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(map)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[key] = String(value);
  }
  return cleanStringMap(out);
}

/** hitsTotal reads `payload.hits.total`: an integer by default, or `{value, relation}` (`gte` prints `≥N`). */
export function hitsTotal(payload: Record<string, unknown> | null | undefined): string | undefined {
  const hits = payload?.hits;
  if (typeof hits !== 'object' || hits === null) return undefined;
  const total = (hits as Record<string, unknown>).total;
  if (typeof total === 'number') return String(total);
  if (typeof total === 'object' && total !== null) {
    const { value, relation } = total as Record<string, unknown>;
    if (typeof value === 'number') return relation === 'gte' ? `≥${value}` : String(value);
  }
  return undefined;
}
