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

/**
 * ISO_DATE: the date forms senders put on the wire (payloads.md): RFC 3339 (`2025-03-18T10:13:40Z`,
 * `…56.624Z`, `…+08:00`), Watcher's `2025-03-18T02:15Z` without seconds, a bare date, a space for the
 * `T`. The parts are captured so each can be range-checked: `Date` itself rolls `2024-02-30` over to
 * March 1st and `24:00` over to the next day instead of refusing them.
 */
const ISO_DATE = /^([+-]\d{6}|\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(?:[Zz]|([+-])(\d{2}):?(\d{2}))?$/;

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** daysInMonth in the proleptic Gregorian calendar (what RFC 3339 and Go's time use). */
function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : MONTH_DAYS[month - 1];
}

/**
 * parseDate returns the instant (epoch ms) of an ISO 8601 / RFC 3339 date string, or undefined when
 * it is not one or names a moment that does not exist (`2024-02-30`, `2024-13-01`, `25:00`,
 * `10:60`, an offset of `+24:00`). Go's zero time `0001-01-01T00:00:00Z` is a valid date.
 */
export function parseDate(value: string): number | undefined {
  // Each date is parsed twice per webhook (the schema checks it, normalizing converts it), and a
  // sender repeats the same instants (an alert's startsAt in every notification of its group).
  // Only date-sized strings are kept, so a sender's junk cannot fill memory.
  if (value.length > 64) return parseDateUncached(value);
  const known = parsedDates.get(value);
  if (known !== undefined || parsedDates.has(value)) return known;
  const ms = parseDateUncached(value);
  if (parsedDates.size >= PARSED_DATES_MAX) parsedDates.clear();
  parsedDates.set(value, ms);
  return ms;
}

/** The last few thousand date strings seen and their instants (bounded: emptied when full). */
const parsedDates = new Map<string, number | undefined>();
const PARSED_DATES_MAX = 4096;

function parseDateUncached(value: string): number | undefined {
  const match = ISO_DATE.exec(value.trim());
  if (!match) return undefined;
  const [, year, month, day, hour = '0', minute = '0', second = '0', , offsetHours = '0', offsetMinutes = '0'] = match;
  const m = Number(month);
  if (m < 1 || m > 12 || Number(day) < 1 || Number(day) > daysInMonth(Number(year), m)) return undefined;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59 || Number(offsetHours) > 23 || Number(offsetMinutes) > 59) return undefined;
  const ms = Date.parse(value.trim());
  return Number.isNaN(ms) ? undefined : ms;
}

/** isValidDate: parseDate found a real instant. */
export function isValidDate(value: string): boolean {
  return parseDate(value) !== undefined;
}

/** isoDate: a valid date string (see parseDate); the 400 names the field: `alerts[0].startsAt: not a valid date`. */
export const isoDate = z.string().refine(isValidDate, { message: 'not a valid date' });

/** GO_ZERO_TIME: Alertmanager's and Grafana's `endsAt` for an alert that is still firing. */
export function isZeroTime(value: string | undefined): boolean {
  return !value || value.startsWith('0001-01-01');
}

/** toIso normalizes a date string that passed isoDate / isValidDate to an ISO 8601 UTC instant. */
export function toIso(value: string): string {
  const ms = parseDate(value);
  // Schemas check dates first; reaching here with a bad one is a bug, not a sender's mistake.
  if (ms === undefined) throw new Error(`toIso called with an unchecked date "${value.slice(0, 40)}"`);
  return new Date(ms).toISOString();
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

/** endsAtDate: absent, `null`, `""`, Go's zero time (still firing) or a valid date. */
const endsAtDate = z
  .string()
  .nullish()
  .refine((value) => !value || isZeroTime(value) || isValidDate(value), { message: 'not a valid date' });

/**
 * optionalDate wraps a lenient text field (Kibana, Watcher: `""` means absent) so that a date that is
 * present must be a real one: `context.date: not a valid date` instead of a silent fallback.
 */
export function optionalDate<T extends z.ZodType<string | undefined>>(text: T) {
  return text.refine((value) => value === undefined || isValidDate(value), { message: 'not a valid date' });
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
  endsAt: endsAtDate,
  generatorURL: z.string().nullish(),
  fingerprint: z.string().nullish(),
};

/** resolvedEndsAt: the end time of a resolved alert as ISO, or undefined (firing, zero time, absent). */
export function resolvedEndsAt(status: 'firing' | 'resolved', endsAt: string | null | undefined): string | undefined {
  if (status !== 'resolved' || !endsAt || isZeroTime(endsAt) || !isValidDate(endsAt)) return undefined;
  return toIso(endsAt);
}
