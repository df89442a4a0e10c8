/**
 * Calendar fields of an instant in an IANA time zone, exactly as `Intl.DateTimeFormat` (en-GB,
 * h23) gives them, but without calling Intl for every instant: `formatToParts` costs microseconds
 * and a message shows several times, each alert its own. A zone's UTC offset only changes at its
 * transitions, so it is asked once per UTC hour — at the hour's first and last millisecond — and
 * when both agree, every instant of that hour is `instant + offset` read with UTC getters. An hour
 * holding a transition, and instants outside 1970–9999, are formatted by Intl itself.
 */
export interface ZonedFields {
  /** Four digits (`2026`). */
  year: string;
  /** Two digits each, as Intl's `2-digit`. */
  month: string;
  day: string;
  hour: string;
  minute: string;
  second: string;
  /** Intl's short English weekday: `Mon` … `Sun`. */
  weekday: string;
}

const HOUR = 3_600_000;
/** 9999-12-30T00:00:00Z: local years stay four-digit in every zone (offsets are under ±1 day). */
const FAST_UNTIL = 253_402_128_000_000;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
/** Bounds each per-zone memo; a long-running process sees an ever-moving window of instants. */
const MEMO_MAX = 4096;

interface Zone {
  formatter: Intl.DateTimeFormat;
  /** UTC hour start → offset in ms, or NaN when the offset changes within that hour. */
  offsets: Map<number, number>;
  /** Instants formatted by Intl (transition hours, far dates). */
  exact: Map<number, ZonedFields>;
}

const zones = new Map<string, Zone>();

function zoneOf(timeZone: string): Zone {
  let zone = zones.get(timeZone);
  if (!zone) {
    // Throws RangeError for an unknown zone, as the Intl-only formatting did.
    const formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      weekday: 'short',
    });
    zone = { formatter, offsets: new Map(), exact: new Map() };
    zones.set(timeZone, zone);
  }
  return zone;
}

function intlFields(zone: Zone, ms: number): ZonedFields {
  const fields: Record<string, string> = {};
  for (const part of zone.formatter.formatToParts(ms)) fields[part.type] = part.value;
  return fields as unknown as ZonedFields;
}

/** offsetAt: local wall time minus UTC at an instant, in whole seconds as Intl shows it. */
function offsetAt(zone: Zone, ms: number): number {
  const f = intlFields(zone, ms);
  const local = Date.UTC(Number(f.year), Number(f.month) - 1, Number(f.day), Number(f.hour), Number(f.minute), Number(f.second));
  return local - (ms - (ms % 1000));
}

function hourOffset(zone: Zone, hourStart: number): number {
  let offset = zone.offsets.get(hourStart);
  if (offset === undefined) {
    const first = offsetAt(zone, hourStart);
    offset = first === offsetAt(zone, hourStart + HOUR - 1) ? first : Number.NaN;
    if (zone.offsets.size >= MEMO_MAX) zone.offsets.clear();
    zone.offsets.set(hourStart, offset);
  }
  return offset;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** zonedFields: the calendar fields of `ms` (a valid epoch instant) in `timeZone`. */
export function zonedFields(ms: number, timeZone: string): ZonedFields {
  const zone = zoneOf(timeZone);
  const offset = ms >= 0 && ms < FAST_UNTIL ? hourOffset(zone, ms - (ms % HOUR)) : Number.NaN;
  if (Number.isNaN(offset)) {
    let fields = zone.exact.get(ms);
    if (!fields) {
      fields = intlFields(zone, ms);
      if (zone.exact.size >= MEMO_MAX) zone.exact.clear();
      zone.exact.set(ms, fields);
    }
    return fields;
  }
  const local = new Date(ms + offset);
  return {
    year: String(local.getUTCFullYear()),
    month: pad2(local.getUTCMonth() + 1),
    day: pad2(local.getUTCDate()),
    hour: pad2(local.getUTCHours()),
    minute: pad2(local.getUTCMinutes()),
    second: pad2(local.getUTCSeconds()),
    weekday: WEEKDAYS[local.getUTCDay()],
  };
}
