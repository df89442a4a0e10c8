import { formatDate, humanDuration } from '../../src/render/time-format';

describe('formatDate', () => {
  const instant = '2025-03-18T04:00:00Z'; // a Tuesday

  it.each<[string, string | undefined, string]>([
    ['Asia/Shanghai', undefined, '2025-03-18 12:00:00'],
    ['UTC', undefined, '2025-03-18 04:00:00'],
    ['America/New_York', undefined, '2025-03-18 00:00:00'], // EDT, UTC-4 since 9 March
    ['Asia/Shanghai', 'MM-DD HH:mm', '03-18 12:00'],
    ['Asia/Shanghai', 'YYYY年MM月DD日 HH:mm:ss W', '2025年03月18日 12:00:00 周二'],
    ['UTC', 'HH:mm:ss', '04:00:00'],
    ['America/New_York', 'W HH:mm', '周二 00:00'],
    ['Asia/Shanghai', 'no tokens here', 'no tokens here'],
  ])('%s with format %j → %s', (zone, format, expected) => {
    expect(formatDate(instant, zone, format)).toBe(expected);
  });

  it.each<[string, string, string]>([
    // crossing midnight: a different calendar day and weekday per zone
    ['2025-03-18T20:30:15Z', 'Asia/Shanghai', '2025-03-19 04:30:15 周三'],
    ['2025-03-18T20:30:15Z', 'UTC', '2025-03-18 20:30:15 周二'],
    ['2025-03-18T20:30:15Z', 'America/New_York', '2025-03-18 16:30:15 周二'],
    // winter time in New York (EST, UTC-5); Shanghai has no DST
    ['2025-01-15T12:00:00Z', 'America/New_York', '2025-01-15 07:00:00 周三'],
    ['2025-01-15T12:00:00Z', 'Asia/Shanghai', '2025-01-15 20:00:00 周三'],
    // midnight is 00, not 24 (hourCycle h23)
    ['2025-03-17T16:00:00Z', 'Asia/Shanghai', '2025-03-18 00:00:00 周二'],
    // fractional seconds and offsets in the input
    ['2025-03-18T12:00:00.999+08:00', 'UTC', '2025-03-18 04:00:00 周二'],
    ['2025-03-23T23:59:59Z', 'UTC', '2025-03-23 23:59:59 周日'],
  ])('%s in %s → %s', (input, zone, expected) => {
    expect(formatDate(input, zone, 'YYYY-MM-DD HH:mm:ss W')).toBe(expected);
  });

  it('accepts epoch milliseconds and Date objects', () => {
    const ms = Date.parse('2025-03-18T04:00:00Z');
    expect(formatDate(ms, 'Asia/Shanghai')).toBe('2025-03-18 12:00:00');
    expect(formatDate(new Date(ms), 'UTC')).toBe('2025-03-18 04:00:00');
  });

  it('returns an unparseable input unchanged', () => {
    expect(formatDate('not a date', 'UTC')).toBe('not a date');
  });
});

describe('humanDuration', () => {
  it.each<[number, string]>([
    [0, '0s'],
    [999, '0s'],
    [1_000, '1s'],
    [45_000, '45s'],
    [60_000, '1m'],
    [200_000, '3m20s'],
    [3_600_000, '1h'],
    [3_660_000, '1h1m'],
    [3_661_000, '1h1m'], // seconds are dropped once hours show
    [11_520_000, '3h12m'],
    [86_400_000, '1d'],
    [187_200_000, '2d4h'],
    [90_000_000, '1d1h'],
    [86_460_000, '1d'], // minutes are dropped once days show
    [-5_000, '0s'],
  ])('%d ms → %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });
});

describe('formatDate across UTC-offset changes', () => {
  // formatDate derives fields from a per-hour offset (zoned-time.ts); around DST changes, half-hour
  // and 45-minute zones it must still agree with Intl at every instant.
  const intl = (ms: number, timeZone: string) => {
    const parts: Record<string, string> = {};
    for (const part of new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(ms)) parts[part.type] = part.value;
    return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
  };
  it.each<[string, string]>([
    ['America/New_York', '2025-03-09T05:00:00Z'], // spring forward
    ['America/New_York', '2025-11-02T04:00:00Z'], // fall back
    ['Europe/London', '2025-03-30T00:00:00Z'],
    ['Australia/Lord_Howe', '2025-04-05T14:00:00Z'], // 30-minute DST step
    ['Asia/Kathmandu', '2025-06-01T00:00:00Z'], // +05:45
    ['Asia/Shanghai', '2025-12-31T15:00:00Z'], // new year
  ])('%s around %s agrees with Intl every 7 minutes 13 seconds for 5 hours', (zone, from) => {
    const start = Date.parse(from);
    for (let ms = start; ms < start + 5 * 3_600_000; ms += 433_000) expect(formatDate(ms, zone)).toBe(intl(ms, zone));
    expect(formatDate(start + 3_600_000 - 1, zone)).toBe(intl(start + 3_600_000 - 1, zone));
  });
});
