import pino from 'pino';
import { validateConfig } from '../../src/config/load';
import type { HistoryStore } from '../../src/history/history-store';
import { digestPeriod, nextRun, previousRun, scheduledRunAt } from '../../src/digest/schedule';
import { DigestScheduler } from '../../src/digest/scheduler';
import { periodLabel } from '../../src/digest/build';
import { formatDate } from '../../src/render/time-format';

/** Digest schedules are cron expressions in server.timezone, whatever the host's zone. No waiting. */
const SH = 'Asia/Shanghai';
const utc = (text: string) => Date.parse(text);

describe('digest schedules in a non-UTC zone', () => {
  it('"0 9 * * 1-5" in Asia/Shanghai runs at 01:00 UTC on Shanghai weekdays', () => {
    // Friday 10:00 in Shanghai → Monday 09:00 Shanghai = Monday 01:00Z
    expect(new Date(nextRun('0 9 * * 1-5', SH, utc('2025-03-14T02:00:00Z'))!).toISOString()).toBe('2025-03-17T01:00:00.000Z');
    // Monday 08:30 in Shanghai → the same morning
    expect(new Date(nextRun('0 9 * * 1-5', SH, utc('2025-03-17T00:30:00Z'))!).toISOString()).toBe('2025-03-17T01:00:00.000Z');
    // Sunday 20:00Z is already Monday 04:00 in Shanghai: the next run is a few hours later, not Tuesday
    expect(new Date(nextRun('0 9 * * 1-5', SH, utc('2025-03-16T20:00:00Z'))!).toISOString()).toBe('2025-03-17T01:00:00.000Z');
    // Friday 01:00Z exactly is a run; the next is Monday
    expect(new Date(nextRun('0 9 * * 1-5', SH, utc('2025-03-14T01:00:00Z'))!).toISOString()).toBe('2025-03-17T01:00:00.000Z');
  });

  it('every run over four weeks is 01:00Z on a weekday in Shanghai', () => {
    let cursor = utc('2025-03-01T00:00:00Z');
    const runs: number[] = [];
    for (let i = 0; i < 20; i++) {
      cursor = nextRun('0 9 * * 1-5', SH, cursor)!;
      runs.push(cursor);
    }
    for (const run of runs) {
      expect(new Date(run).toISOString().slice(11)).toBe('01:00:00.000Z');
      expect(['周一', '周二', '周三', '周四', '周五']).toContain(formatDate(run, SH, 'W'));
    }
    expect(new Set(runs.map((run) => formatDate(run, SH, 'YYYY-MM-DD'))).size).toBe(20);
  });

  it('honours half-hour offsets and daylight saving time', () => {
    expect(new Date(nextRun('0 * * * *', 'Asia/Kolkata', utc('2025-03-18T01:10:00Z'))!).toISOString()).toBe('2025-03-18T01:30:00.000Z');
    // New York switched to EDT on 2025-03-09: 09:00 local is 14:00Z before, 13:00Z after.
    expect(new Date(nextRun('0 9 * * *', 'America/New_York', utc('2025-03-08T00:00:00Z'))!).toISOString()).toBe('2025-03-08T14:00:00.000Z');
    expect(new Date(nextRun('0 9 * * *', 'America/New_York', utc('2025-03-10T00:00:00Z'))!).toISOString()).toBe('2025-03-10T13:00:00.000Z');
  });

  it('finds the previous scheduled run (strictly before) for the default period', () => {
    expect(new Date(previousRun('0 9 * * 1-5', SH, utc('2025-03-17T01:00:00Z'))!).toISOString()).toBe('2025-03-14T01:00:00.000Z');
    expect(new Date(previousRun('0 9 * * 1-5', SH, utc('2025-03-17T01:00:00.400Z'))!).toISOString()).toBe('2025-03-14T01:00:00.000Z');
    expect(new Date(previousRun('0 * * * *', SH, utc('2025-03-18T02:17:00Z'))!).toISOString()).toBe('2025-03-18T02:00:00.000Z');
  });

  it('the default period runs from the previous scheduled run; an explicit period wins', () => {
    expect(digestPeriod({ schedule: '0 * * * *' }, SH, utc('2025-03-18T02:00:00Z'))).toEqual({ from: utc('2025-03-18T01:00:00Z'), to: utc('2025-03-18T02:00:00Z') });
    const weekday = digestPeriod({ schedule: '0 9 * * 1-5' }, SH, utc('2025-03-17T01:00:00Z'));
    expect(weekday).toEqual({ from: utc('2025-03-14T01:00:00Z'), to: utc('2025-03-17T01:00:00Z') });
    expect(periodLabel(weekday)).toBe('告警摘要');
    expect(periodLabel(digestPeriod({ schedule: '0 9 * * *' }, SH, utc('2025-03-18T01:00:00Z')))).toBe('告警日报');
    expect(digestPeriod({ schedule: '0 9 * * *', period: 3_600_000 }, SH, utc('2025-03-18T01:00:00Z'))).toEqual({ from: utc('2025-03-18T00:00:00Z'), to: utc('2025-03-18T01:00:00Z') });
  });

  it('attributes a timer firing slightly early or late to its scheduled instant', () => {
    const run = utc('2025-03-18T02:00:00Z');
    expect(scheduledRunAt('0 * * * *', SH, run + 30)).toBe(run);
    expect(scheduledRunAt('0 * * * *', SH, run - 200)).toBe(run);
    expect(scheduledRunAt('0 * * * *', SH, run + 20_000)).toBe(run);
  });
});

describe('DigestScheduler schedules', () => {
  const history: HistoryStore = { record: async () => undefined, received: async () => [], latest: async () => [], search: async () => ({ records: [], scanned: 0, truncated: false }), current: async () => [], prune: async () => 0, close: async () => undefined };
  const configOf = (timezone: string, schedule: string) =>
    validateConfig(
      { server: { timezone }, receivers: [{ name: 'ops', console: null }], route: { receiver: 'ops' }, digests: [{ name: 'morning', receiver: 'ops', schedule }] },
      'test.yaml',
      '/tmp',
      {},
    );

  it('schedules each digest in server.timezone, reschedules on reload, stops', () => {
    let config = configOf(SH, '0 9 * * 1-5');
    const scheduler = new DigestScheduler({ current: () => ({ config }), history, enqueue: async () => undefined, logger: pino({ level: 'silent' }) });
    scheduler.start();
    const [first] = scheduler.nextRuns();
    expect(first.name).toBe('morning');
    expect(first.next!.toISOString().slice(11)).toBe('01:00:00.000Z');
    expect(['周一', '周二', '周三', '周四', '周五']).toContain(formatDate(first.next!, SH, 'W'));

    config = configOf('UTC', '30 6 * * *');
    scheduler.reschedule(config);
    expect(scheduler.nextRuns()).toHaveLength(1);
    expect(scheduler.nextRuns()[0].next!.toISOString().slice(11)).toBe('06:30:00.000Z');

    scheduler.stop();
    expect(scheduler.nextRuns()).toEqual([]);
  });
});
