/**
 * Date and duration formatting for templates, always in the configured time zone (default
 * Asia/Shanghai), because users of peer tools keep getting UTC times they must convert.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', {
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
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/**
 * Intl's formatToParts is by far the most expensive step of rendering a storm (a dozen date
 * fields per alert line); alerts of one storm share a few instants, so the parts are memoized.
 */
const partsMemo = new Map<string, Record<string, string>>();
const PARTS_MEMO_MAX = 4096;

function partsOf(ms: number, timeZone: string): Record<string, string> {
  const key = `${timeZone}|${ms}`;
  let parts = partsMemo.get(key);
  if (!parts) {
    parts = {};
    for (const part of formatterFor(timeZone).formatToParts(ms)) parts[part.type] = part.value;
    if (partsMemo.size >= PARTS_MEMO_MAX) partsMemo.clear();
    partsMemo.set(key, parts);
  }
  return parts;
}

const WEEKDAY_ZH: Record<string, string> = { Mon: '一', Tue: '二', Wed: '三', Thu: '四', Fri: '五', Sat: '六', Sun: '日' };

/**
 * formatDate renders an instant in `timeZone` with a small token format:
 * YYYY MM DD HH mm ss and `W` (周一…周日). Default `YYYY-MM-DD HH:mm:ss`.
 */
export function formatDate(input: string | number | Date, timeZone: string, format = 'YYYY-MM-DD HH:mm:ss'): string {
  const date = input instanceof Date ? input : new Date(input);
  if (Number.isNaN(date.getTime())) return String(input);
  const parts = partsOf(date.getTime(), timeZone);
  return format.replace(/YYYY|MM|DD|HH|mm|ss|W/g, (token) => {
    switch (token) {
      case 'YYYY':
        return parts.year;
      case 'MM':
        return parts.month;
      case 'DD':
        return parts.day;
      case 'HH':
        return parts.hour;
      case 'mm':
        return parts.minute;
      case 'ss':
        return parts.second;
      default:
        return `周${WEEKDAY_ZH[parts.weekday] ?? parts.weekday}`;
    }
  });
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
  const day = formatDate(input, timeZone, 'YYYY-MM-DD');
  if (day === formatDate(now, timeZone, 'YYYY-MM-DD')) return formatDate(input, timeZone, 'HH:mm');
  if (day.slice(0, 4) === formatDate(now, timeZone, 'YYYY')) return formatDate(input, timeZone, 'MM-DD HH:mm');
  return formatDate(input, timeZone, 'YYYY-MM-DD HH:mm');
}
