import { z } from 'zod';
import type { Alert, ParsedPayload } from '../model/alert';

/** Shared payload pieces for the sources. */

/** stringMap: a JSON object of string values (labels, annotations); `null` is taken as empty. */
export const stringMap = z
  .union([z.record(z.string(), z.string()), z.null()], { message: 'expected an object of string values (or null)' })
  .transform((value) => cleanStringMap(value ?? {}));

/** looseStringMap: like stringMap, but numbers and booleans are stringified (Grafana legacy tags, Watcher metadata). */
export const looseStringMap = z
  .union([z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])), z.null()], {
    message: 'expected an object of string, number or boolean values (or null)',
  })
  .transform((value) => {
    const out: Record<string, string> = {};
    for (const [key, item] of Object.entries(value ?? {})) if (item !== null) out[key] = String(item);
    return cleanStringMap(out);
  });

/**
 * cleanStringMap copies into a null-prototype-free plain object and drops keys that could reach
 * prototypes (`__proto__`, `constructor`, `prototype`) when the map is later spread or indexed.
 */
export function cleanStringMap(input: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(input)) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
    out[key] = value;
  }
  return out;
}

/** isoDate: a parseable date string (RFC 3339; Watcher's `2025-03-18T02:15Z` without seconds too). */
export const isoDate = z.string().refine((value) => !Number.isNaN(Date.parse(value)), { message: 'not a valid date' });

/** GO_ZERO_TIME: Alertmanager's and Grafana's `endsAt` for an alert that is still firing. */
export function isZeroTime(value: string | undefined): boolean {
  return !value || value.startsWith('0001-01-01');
}

/** toIso normalizes any parseable date string to an ISO 8601 UTC instant. */
export function toIso(value: string): string {
  return new Date(Date.parse(value)).toISOString();
}

/** nonEmpty returns the string unless it is empty or only whitespace. */
export function nonEmpty(value: string | undefined | null): string | undefined {
  return value !== undefined && value !== null && value.trim() !== '' ? value : undefined;
}

/** silenceLink builds Alertmanager's "new silence" URL prefilled with an alert's labels. */
export function silenceLink(externalURL: string | undefined, labels: Record<string, string>): string | undefined {
  if (!externalURL || !/^https?:\/\//.test(externalURL)) return undefined;
  const filter = `{${Object.keys(labels)
    .sort()
    .map((name) => `${name}=${JSON.stringify(labels[name])}`)
    .join(',')}}`;
  return `${externalURL.replace(/\/+$/, '')}/#/silences/new?filter=${encodeURIComponent(filter)}`;
}

/**
 * singleAlertPayload wraps the one alert of a Grafana legacy, Kibana rule or Watcher body: those
 * senders notify per rule (or watch), so the alert's own labels and annotations are the common ones.
 */
export function singleAlertPayload(alert: Alert, externalURL?: string): ParsedPayload {
  return {
    source: alert.source,
    alerts: [alert],
    groupLabels: {},
    commonLabels: { ...alert.labels },
    commonAnnotations: { ...alert.annotations },
    externalURL,
    truncatedAlerts: 0,
  };
}

/**
 * alertmanagerAlertShape: the per-alert fields Alertmanager's template.Alert defines. Grafana's
 * ExtendedAlert is the same struct plus links and values, so both sources start from it. Optional
 * strings tolerate `null` from hand-written senders.
 */
export const alertmanagerAlertShape = {
  status: z.enum(['firing', 'resolved']),
  labels: stringMap,
  annotations: stringMap.optional(),
  startsAt: isoDate,
  endsAt: z.string().nullish(),
  generatorURL: z.string().nullish(),
  fingerprint: z.string().nullish(),
};

/** resolvedEndsAt: the end time of a resolved alert as ISO, or undefined (firing, zero time, unparseable). */
export function resolvedEndsAt(status: 'firing' | 'resolved', endsAt: string | null | undefined): string | undefined {
  if (status !== 'resolved' || !endsAt || isZeroTime(endsAt) || Number.isNaN(Date.parse(endsAt))) return undefined;
  return toIso(endsAt);
}
