import { Cron } from 'croner';
import type { Logger } from 'pino';
import type { Config, DigestConfig } from '../config/schema';
import type { HistoryStore } from '../history/history-store';
import type { AckRecord } from '../interactive/action-store';
import type { Notification } from '../model/notification';
import { prepareDigest, scheduledRunAt } from './schedule';

/**
 * DigestScheduler runs every configured digest on its cron schedule (in `server.timezone`) and
 * enqueues the result like any notification, so digests share the outbox, rate limits, packing and
 * retries. A reload rebuilds the schedules from the new config. Runs are not persisted: a run missed
 * while the service was down is skipped, and the next run's default period (since the previous
 * *scheduled* run) does not cover the gap.
 */
export interface DigestSchedulerDeps {
  current: () => { config: Config };
  history: HistoryStore;
  /** Acknowledgements since a time (interactive cards), shown in digests. */
  acks?: (since: number) => Promise<AckRecord[]>;
  enqueue: (notifications: Notification[], now: number) => Promise<unknown>;
  logger: Logger;
  clock?: () => number;
}

export type DigestOutcome = 'enqueued' | 'empty';

export class DigestScheduler {
  private jobs: { digest: DigestConfig; job: Cron }[] = [];
  private readonly clock: () => number;

  constructor(private readonly deps: DigestSchedulerDeps) {
    this.clock = deps.clock ?? Date.now;
  }

  /** start schedules the digests of the current config. */
  start(): void {
    this.schedule(this.deps.current().config);
  }

  /** reschedule replaces every schedule with those of `config` (after a reload). */
  reschedule(config: Config): void {
    this.stop();
    this.schedule(config);
  }

  stop(): void {
    for (const { job } of this.jobs) job.stop();
    this.jobs = [];
  }

  /** nextRuns: the next run of each digest (for logs and tests). */
  nextRuns(): { name: string; next: Date | null }[] {
    return this.jobs.map(({ digest, job }) => ({ name: digest.name, next: job.nextRun() }));
  }

  /** run builds the named digest for the period ending at `to` and enqueues it (unless empty and not send_empty). */
  async run(digest: DigestConfig, to: number): Promise<DigestOutcome> {
    const now = this.clock();
    const timezone = this.deps.current().config.server.timezone;
    const { summary, notification, period } = await prepareDigest(this.deps.history, digest, { timezone, to, now, acks: this.deps.acks });
    const fields = { digest: digest.name, receiver: digest.receiver, from: new Date(period.from).toISOString(), to: new Date(period.to).toISOString(), alerts: summary.alerts, stillFiring: summary.stillFiringTotal };
    if (summary.empty && !digest.send_empty) {
      this.deps.logger.info(fields, 'digest period was empty; not sent (send_empty: false)');
      return 'empty';
    }
    await this.deps.enqueue([notification], now);
    this.deps.logger.info(fields, 'digest queued');
    return 'enqueued';
  }

  private schedule(config: Config): void {
    const timezone = config.server.timezone;
    for (const digest of config.digests) {
      const job = new Cron(digest.schedule, { timezone, unref: true, protect: true }, async () => {
        const to = scheduledRunAt(digest.schedule, timezone, this.clock());
        try {
          // Several replicas share the history: only the one that claims this run sends it.
          if (this.deps.history.claimRun && !(await this.deps.history.claimRun(digest.name, to))) return;
          await this.run(digest, to);
        } catch (err) {
          this.deps.logger.error({ digest: digest.name, err: String((err as Error)?.message ?? err) }, 'digest failed; the next scheduled run will try again');
        }
      });
      this.jobs.push({ digest, job });
      this.deps.logger.info({ digest: digest.name, schedule: digest.schedule, timezone, next: job.nextRun()?.toISOString() }, 'digest scheduled');
    }
  }
}
