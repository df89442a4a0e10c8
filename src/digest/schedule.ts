import { Cron } from 'croner';
import type { DigestConfig } from '../config/schema';
import type { HistoryStore } from '../history/history-store';
import type { TextNotification } from '../model/notification';
import { buildDigest, digestNotification, type DigestPeriod } from './build';
import type { AckRecord } from '../interactive/action-store';
import { digestAcks } from './acks';
import type { DigestSummary } from './types';

/**
 * Digest schedules: cron expressions evaluated in `server.timezone` (croner), so `0 9 * * 1-5` means
 * 09:00 on workdays in Shanghai whatever the host's zone. A digest's period is its `period`, else
 * the time since the previous scheduled run.
 */
export function digestCron(schedule: string, timezone: string): Cron {
  return new Cron(schedule, { timezone, paused: true });
}

/** nextRun: the first scheduled run strictly after `after`. */
export function nextRun(schedule: string, timezone: string, after: number): number | undefined {
  return digestCron(schedule, timezone).nextRun(new Date(after))?.getTime();
}

/** previousRun: the last scheduled run strictly before `before` (whole seconds; runs are on second boundaries). */
export function previousRun(schedule: string, timezone: string, before: number): number | undefined {
  const runs = digestCron(schedule, timezone).previousRuns(2, new Date(before));
  return runs.map((run) => run.getTime()).find((run) => run < before && before - run >= 1000);
}

/**
 * scheduledRunAt: the scheduled instant a timer firing at `now` belongs to (the latest run at or
 * before now + 500 ms), so a period ends exactly on the schedule even if the timer fires late.
 */
export function scheduledRunAt(schedule: string, timezone: string, now: number): number {
  const [run] = digestCron(schedule, timezone).previousRuns(1, new Date(now + 500));
  return run && now - run.getTime() < 60_000 ? run.getTime() : now;
}

/** digestPeriod: [to − period, to) with an explicit period, else [previous scheduled run, to). */
export function digestPeriod(digest: Pick<DigestConfig, 'schedule' | 'period'>, timezone: string, to: number, periodMs = digest.period): DigestPeriod {
  if (periodMs !== undefined) return { from: to - periodMs, to };
  const previous = previousRun(digest.schedule, timezone, to);
  return { from: previous ?? to - 3_600_000, to };
}

/** prepareDigest builds a digest ending at `to` and the notification that would carry it. */
export async function prepareDigest(
  history: HistoryStore,
  digest: DigestConfig,
  options: { timezone: string; to: number; now: number; periodMs?: number; acks?: (since: number) => Promise<AckRecord[]> },
): Promise<{ summary: DigestSummary; notification: TextNotification; period: DigestPeriod }> {
  const period = digestPeriod(digest, options.timezone, options.to, options.periodMs ?? digest.period);
  const summary = await buildDigest(history, digest, period, options.now);
  if (options.acks) summary.acks = digestAcks(await options.acks(period.from), period);
  return { summary, notification: digestNotification(summary, digest, options.timezone, options.now), period };
}
