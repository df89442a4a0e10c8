import { formatDuration, parseDuration } from '../../src/config/duration';

describe('parseDuration', () => {
  it.each<[string | number, number]>([
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['2h0m5s', 7_205_000],
    ['1m500ms', 60_500],
    ['7d', 604_800_000],
    ['2w', 1_209_600_000],
    ['1y', 31_536_000_000],
    [' 15s ', 15_000],
    ['0', 0],
    ['0s', 0],
    [10, 10_000],
    [0, 0],
    [1.5, 1_500],
  ])('%j → %d ms', (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  it.each<[string | number]>([['5 minutes'], ['5'], ['1.5h'], ['-1s'], ['1H'], ['s'], [''], ['1h 30m'], ['10sec'], [-1], [Number.NaN], [Number.POSITIVE_INFINITY]])(
    '%j is not a duration',
    (input) => {
      expect(parseDuration(input)).toBeUndefined();
    },
  );
});

describe('formatDuration', () => {
  it.each<[number, string]>([
    [0, '0s'],
    [500, '500ms'],
    [1_000, '1s'],
    [60_000, '1m'],
    [90_000, '1m30s'],
    [5_400_000, '1h30m'],
    [86_400_000, '1d'],
    [90_061_001, '1d1h1m1s1ms'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each([['1h30m'], ['45s'], ['2d3h'], ['250ms']])('round-trips %s', (text) => {
    expect(formatDuration(parseDuration(text)!)).toBe(text);
  });
});
