import type { OncallConfig } from '../config/interactive-schema';

/**
 * Who is on call now in a rota (config `oncall`), computed in `server.timezone` on the local
 * calendar (so a handoff at 09:00 stays at 09:00 local time whatever the UTC offset): members[0]
 * from `start`, the next member at each handoff — daily, or weekly on `weekday` — wrapping around;
 * an override covering now wins.
 */
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
const DAY_MIN = 1440;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** localMinutes: minutes since 1970-01-01 00:00 on the wall clock of `timeZone`. */
export function localMinutes(ms: number, timeZone: string): number {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
    formatters.set(timeZone, format);
  }
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(new Date(ms))) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return Date.UTC(parts.year, parts.month - 1, parts.day) / 60_000 + parts.hour * 60 + parts.minute;
}

/** parseLocal: "2026-12-24T09:00" or "2026-12-24" (+ "HH:MM") as local minutes. */
function parseLocal(date: string, time = '00:00'): number {
  const [y, m, d] = date.slice(0, 10).split('-').map(Number);
  const [hh, mm] = (date.length > 10 ? date.slice(11, 16) : time).split(':').map(Number);
  return Date.UTC(y, m - 1, d) / 60_000 + hh * 60 + mm;
}

/** currentMember: the userid on call at `now` (ms) in `rota`. */
export function currentMember(rota: OncallConfig, now: number, timeZone: string): string {
  const local = localMinutes(now, timeZone);
  for (const override of rota.overrides) {
    if (parseLocal(override.from) <= local && local < parseLocal(override.to)) return override.member;
  }
  let first = parseLocal(rota.start, rota.handoff);
  let period = DAY_MIN;
  if (rota.weekday) {
    period = 7 * DAY_MIN;
    const startDay = Math.floor(first / DAY_MIN);
    const offset = (WEEKDAYS.indexOf(rota.weekday) - ((startDay + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
    first += offset * DAY_MIN;
  }
  const index = Math.max(0, Math.floor((local - first) / period));
  return rota.members[index % rota.members.length];
}
