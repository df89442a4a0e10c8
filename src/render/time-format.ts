/**
 * Date and duration formatting for templates, always in the configured time zone (default
 * Asia/Shanghai), because users of peer tools keep getting UTC times they must convert.
 */
import { zonedFields, type ZonedFields } from './zoned-time';

const WEEKDAY_ZH: Record<string, string> = { Mon: '一', Tue: '二', Wed: '三', Thu: '四', Fri: '五', Sat: '六', Sun: '日' };

type Token = 'YYYY' | 'MM' | 'DD' | 'HH' | 'mm' | 'ss' | 'W';
/** A format split once into literal text and tokens: templates use a handful of formats, thousands of times. */
type CompiledFormat = readonly (string | { token: Token })[];
const compiledFormats = new Map<string, CompiledFormat>();
const FORMATS_MAX = 256;

function compileFormat(format: string): CompiledFormat {
  let compiled = compiledFormats.get(format);
  if (!compiled) {
    const pieces: (string | { token: Token })[] = [];
    let last = 0;
    for (const match of format.matchAll(/YYYY|MM|DD|HH|mm|ss|W/g)) {
      if (match.index > last) pieces.push(format.slice(last, match.index));
      pieces.push({ token: match[0] as Token });
      last = match.index + match[0].length;
    }
    if (last < format.length) pieces.push(format.slice(last));
    if (compiledFormats.size >= FORMATS_MAX) compiledFormats.clear();
    compiledFormats.set(format, (compiled = pieces));
  }
  return compiled;
}

function tokenValue(fields: ZonedFields, token: Token): string {
  switch (token) {
    case 'YYYY':
      return fields.year;
    case 'MM':
      return fields.month;
    case 'DD':
      return fields.day;
    case 'HH':
      return fields.hour;
    case 'mm':
      return fields.minute;
    case 'ss':
      return fields.second;
    default:
      return `周${WEEKDAY_ZH[fields.weekday] ?? fields.weekday}`;
  }
}

function applyFormat(fields: ZonedFields, format: string): string {
  let out = '';
  for (const piece of compileFormat(format)) out += typeof piece === 'string' ? piece : tokenValue(fields, piece.token);
  return out;
}

/** epochOf: the instant of an input, NaN when it is not a date. */
function epochOf(input: string | number | Date): number {
  return input instanceof Date ? input.getTime() : new Date(input).getTime();
}

/**
 * formatDate renders an instant in `timeZone` with a small token format:
 * YYYY MM DD HH mm ss and `W` (周一…周日). Default `YYYY-MM-DD HH:mm:ss`.
 */
export function formatDate(input: string | number | Date, timeZone: string, format = 'YYYY-MM-DD HH:mm:ss'): string {
  const ms = epochOf(input);
  if (Number.isNaN(ms)) return String(input);
  return applyFormat(zonedFields(ms, timeZone), format);
}

/** humanDuration renders milliseconds compactly: `45s`, `3m20s`, `3h12m`, `2d4h`. Negative counts as 0. */
export function humanDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  if (days > 0) return hours > 0 ? `${days}d${hours}h` : `${days}d`;
  if (hours > 0) return minutes > 0 ? `${hours}h${minutes}m` : `${hours}h`;
  if (minutes > 0) return rest > 0 ? `${minutes}m${rest}s` : `${minutes}m`;
  return `${rest}s`;
}

/** yearOf: the calendar year of an instant in a zone. */
export function yearOf(input: string | number | Date, timeZone: string): string {
  return formatDate(input, timeZone, 'YYYY');
}

/**
 * formatWhen renders an instant as short as it can be read without doubt, relative to `now` in
 * the zone: `10:13` today, `03-17 10:13` this year, `2024-03-17 10:13` otherwise.
 */
export function formatWhen(input: string | number | Date, timeZone: string, now: number): string {
  const ms = epochOf(input);
  if (Number.isNaN(ms)) return String(input);
  const at = zonedFields(ms, timeZone);
  // A clock that is no valid instant matches no day and no year: the full date is shown.
  const nowMs = epochOf(now);
  const today = Number.isNaN(nowMs) ? undefined : zonedFields(nowMs, timeZone);
  const time = `${at.hour}:${at.minute}`;
  if (at.year === today?.year && at.month === today.month && at.day === today.day) return time;
  // "This year" compares the date's first four characters with the year, exactly as before.
  if (`${at.year}-`.slice(0, 4) === today?.year) return `${at.month}-${at.day} ${time}`;
  return `${at.year}-${at.month}-${at.day} ${time}`;
}
