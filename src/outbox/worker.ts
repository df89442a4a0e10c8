import type { Logger } from 'pino';
import type { Channel } from '../channels/channel';
import type { SendResult } from '../channels/send-result';
import type { Config } from '../config/schema';
import type { Metrics } from '../metrics';
import { itemCount } from '../model/notification';
import type { TemplateEngine } from '../render/engine';
import { formatOf } from '../render/format';
import { PlanCache } from '../render/plan-cache';
import type { MessageStyle } from '../render/message-style';
import { pack, planAhead, type PackedMessage, type PackOptions } from '../render/packer';
import { backoffDelay } from './backoff';
import { meteredSend, sendContext } from './metered-send';
import { formatDuration } from '../config/duration';
import type { SlidingWindowLimiter } from './rate-limiter';
import type { JobProgress, OutboxJob, OutboxStore } from './store';
import { UnreadableJobsError } from './decode-notification';
import { jobParts } from './notification-log';
import type { ReceiverLease } from './lease';

/**
 * DeliveryWorker drains the outbox, one receiver at a time in arrival order:
 * wait for the head's retry time → wait for a rate-limit slot → pack the queue into dense messages
 * → send the first → record progress, defer (retry with backoff) or dead-letter. It is the one
 * place where retries happen (style.md §2.4).
 */
export interface WorkerDeps {
  store: OutboxStore;
  limiter: SlidingWindowLimiter;
  metrics: Metrics;
  logger: Logger;
  clock: () => number;
  /** Getters, so a hot reload swaps config, channels and templates atomically for the next send. */
  current: () => { config: Config; channels: Map<string, Channel>; engine: TemplateEngine; style?: MessageStyle };
  /** Which process drains which receiver (LocalLease for one process, RedisLease for replicas). */
  lease: ReceiverLease;
  /** Called with jobs fully delivered (alert history for digests). */
  onDelivered?: (jobs: OutboxJob[], at: number) => void;
}

/** How many queued notifications are considered per packing round. */
const BATCH = 200;
/**
 * How many are read first: one message rarely holds more (4096 bytes; in a storm the compact lines
 * are ≥ 50 bytes each and a notification has at least one). Reading and decoding 200 rows for
 * every message was the largest cost of a busy drain after rendering; when a message does take all
 * of the first read, the round is packed again from BATCH rows.
 */
const FIRST_READ = 48;
/** Longest a partial message is held back to gather more (latency bound under slow limits). */
const MAX_LINGER_MS = 5_000;
/** How often the outbox is polled for work queued by other processes. */
const POLL_MS = 5_000;

interface ReceiverState {
  running: boolean;
  /** A receiver removed by a reload still has queued work; warned about once. */
  unconfiguredWarned?: boolean;
  again: boolean;
  timer?: NodeJS.Timeout;
  lastError?: string;
  /** Why the last delivery loop of this receiver failed (storage error); cleared by the next good one. Readiness. */
  loopError?: string;
}

/**
 * nextTurn lets the event loop run (I/O callbacks: health checks, webhooks, send timeouts) before
 * the drain continues. The store's calls resolve synchronously, so without it a receiver's drain
 * would only give way while a message is on the wire, and the reads, planning and bookkeeping of a
 * 10,000-alert notification would run back to back for seconds.
 */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** How many rounds of unreadable rows one read may move aside before the read is treated as failed. */
const MAX_QUARANTINE_ROUNDS = 10;

export class DeliveryWorker {
  private readonly states = new Map<string, ReceiverState>();
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Part boundaries of long notifications, so each message of a storm does not re-plan the rest. */
  private readonly planCache = new PlanCache();
  private stopping = false;
  private poll?: NodeJS.Timeout;

  constructor(private readonly deps: WorkerDeps) {}

  /** start resumes every receiver with queued work and seeds rate-limit windows from the store. */
  async start(): Promise<void> {
    // A shared store may be down at start: readiness reports it, and the poll below retries.
    await this.resume().catch((err) => this.deps.logger.error({ err: String(err) }, 'cannot read the outbox yet; retrying'));
    // Work requeued by the dead-letters command (another process), or left by a replica that died,
    // is noticed within a poll.
    this.poll = setInterval(() => void this.resume().catch(() => undefined), POLL_MS);
    this.poll.unref();
  }

  /**
   * takeOver runs when this process starts draining a receiver (first time, or a new lease):
   * sends interrupted by a crash are counted as possible duplicates, and the rate-limit window is
   * reloaded from the shared send log so the limit holds across restarts and replicas.
   */
  private async takeOver(receiver: string, channel: Channel): Promise<void> {
    const interrupted = await this.deps.store.recoverInterrupted(receiver);
    if (interrupted > 0) {
      // The previous owner died while sending: that message may have arrived; it is sent again
      // (at least once), and counted so the duplicate is visible.
      this.deps.metrics.possibleDuplicates.inc({ receiver }, interrupted);
      this.deps.logger.warn({ receiver, notifications: interrupted }, 'resending notifications that were in flight when their previous sender stopped (a duplicate message is possible)');
    }
    const limit = channel.rateLimit;
    if (!limit) return;
    const now = this.deps.clock();
    this.deps.limiter.seed(receiver, await this.deps.store.sendTimes(receiver, now - limit.perMs));
    // The interrupted message reached WeCom (it takes up a slot there) but was never recorded: its
    // sender died before the reply. A receiver has one message in flight at a time, so it is one
    // send, and it happened no later than now, the same "count when the call ends" rule as
    // meteredSend. Counted at its mark time instead, it would leave our window before WeCom's.
    if (interrupted > 0) this.deps.limiter.record(receiver, now);
  }

  /** resume kicks every receiver with queued work that is not already being drained. */
  private async resume(): Promise<void> {
    for (const receiver of await this.deps.store.receiversWithWork()) {
      const state = this.stateOf(receiver);
      if (!state.running && !state.timer) this.kick(receiver);
    }
  }

  /** kick makes the worker look at a receiver's queue now (after enqueue, requeue or a timer). */
  kick(receiver: string): void {
    if (this.stopping) return;
    const state = this.stateOf(receiver);
    if (state.timer) {
      clearTimeout(state.timer);
      state.timer = undefined;
    }
    if (state.running) {
      state.again = true;
      return;
    }
    state.running = true;
    const run = this.drain(receiver, state)
      .then(() => {
        state.loopError = undefined;
      })
      .catch((err) => {
        state.loopError = String(err);
        this.deps.logger.error({ receiver, err: String(err) }, 'delivery loop failed; will retry');
      })
      .finally(() => {
        state.running = false;
        this.inFlight.delete(run);
        if (state.again && !this.stopping) {
          state.again = false;
          this.kick(receiver);
        }
      });
    this.inFlight.add(run);
  }

  /** failingReceivers: receivers whose delivery loop last failed, with the error (readiness). */
  failingReceivers(): Record<string, string> {
    return Object.fromEntries([...this.states].filter(([, state]) => state.loopError !== undefined).map(([receiver, state]) => [receiver, state.loopError!]));
  }

  /**
   * readPending reads a receiver's queue. Rows that cannot be read are moved to the dead letters
   * (reason `unreadable`), counted and logged with their id, and the read is repeated: one damaged
   * row must not stop every row before and after it.
   */
  private async readPending(receiver: string, limit: number): Promise<OutboxJob[]> {
    for (let round = 1; ; round++) {
      try {
        return await this.deps.store.pending(receiver, limit);
      } catch (err) {
        if (!(err instanceof UnreadableJobsError) || round > MAX_QUARANTINE_ROUNDS) throw err;
        await this.deps.store.quarantine(err.jobs, this.deps.clock());
        this.deps.metrics.outboxUnreadable.inc({ receiver }, err.jobs.length);
        this.deps.metrics.notifications.inc({ receiver, outcome: 'failed' }, err.jobs.length);
        for (const job of err.jobs) {
          this.deps.logger.error({ receiver, id: job.id, reason: 'unreadable', error: job.error }, 'outbox row cannot be read (its stored notification is damaged); moved to dead letters, the rest of the queue continues');
        }
      }
    }
  }

  /** stop: no new sends; waits up to graceMs for in-flight sends. Queued work stays in the outbox. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    if (this.poll) clearInterval(this.poll);
    for (const state of this.states.values()) if (state.timer) clearTimeout(state.timer);
    const grace = new Promise((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([Promise.allSettled([...this.inFlight]), grace]);
    // Hand receivers over at once instead of after the lease expires (best effort).
    await Promise.allSettled([...this.states.keys()].map((receiver) => this.deps.lease.release(receiver)));
  }

  private stateOf(receiver: string): ReceiverState {
    let state = this.states.get(receiver);
    if (!state) {
      state = { running: false, again: false };
      this.states.set(receiver, state);
    }
    return state;
  }

  private schedule(receiver: string, state: ReceiverState, delayMs: number): void {
    if (this.stopping) return;
    state.timer = setTimeout(() => {
      state.timer = undefined;
      this.kick(receiver);
    }, Math.max(1, delayMs));
    state.timer.unref?.();
  }

  private async drain(receiver: string, state: ReceiverState): Promise<void> {
    // Right after a successful send the head is due (a send never postpones it; requeued rows are due
    // at once), so its row is not read and parsed again only to learn that: for a 10,000-alert
    // notification that read costs more than packing the message.
    let headDue = false;
    while (!this.stopping) {
      state.again = false;
      const { channels } = this.deps.current();
      const channel = channels.get(receiver);
      if (!channel) {
        // Warn once (the poll looks again every few seconds), not on every look.
        if (!state.unconfiguredWarned) this.deps.logger.warn({ receiver }, 'queued notifications for a receiver that is no longer configured; they stay queued until it is configured again');
        state.unconfiguredWarned = true;
        return;
      }
      state.unconfiguredWarned = false;
      const lease = await this.deps.lease.acquire(receiver);
      if (lease === 'busy') return this.schedule(receiver, state, this.deps.lease.retryMs);
      if (lease === 'new') {
        await this.takeOver(receiver, channel);
        headDue = false;
      }
      // The head alone decides whether to wait; the batch is read (and parsed) only when a message
      // will be packed. A receiver that waits for its rate limit is kicked by every enqueue, and
      // reading and parsing BATCH rows each time cost more CPU than ingesting the webhook itself.
      if (!headDue) {
        const [first] = await this.readPending(receiver, 1);
        if (!first) {
          await this.deps.lease.release(receiver);
          return;
        }
        const wait = first.nextAttemptAt - this.deps.clock();
        if (wait > 0) return this.schedule(receiver, state, wait);
      }
      headDue = false;
      const now = this.deps.clock();
      const limit = channel.rateLimit;
      const tokens = this.deps.limiter.available(receiver, limit, now);
      if (tokens <= 0) return this.schedule(receiver, state, this.deps.limiter.nextFreeAt(receiver, limit!, now) - now);
      await nextTurn();
      if (this.stopping) return;
      let jobs = await this.readPending(receiver, FIRST_READ);
      if (jobs.length === 0) continue;
      let round = await this.packRound(channel, jobs, now);
      if (round.packed && jobs.length === FIRST_READ && round.batch.length === jobs.length && round.packed.messages[0].sections.some((section) => section.id === jobs[jobs.length - 1].id)) {
        // The first message took every job read: there may be room for more.
        jobs = await this.readPending(receiver, BATCH);
        if (jobs.length === 0) continue;
        round = await this.packRound(channel, jobs, now);
      }
      if (this.stopping) return;
      const { batch, head } = round;
      if (!round.packed) {
        await this.deadLetter(channel, [head], { reason: 'render_error', error: `template failed to render: ${round.error}` }, now);
        continue;
      }
      const { messages } = round.packed;
      const format = round.packed.format;
      const [message, maybeCompanion] = messages;
      const companion = maybeCompanion?.companion ? maybeCompanion : undefined;
      const needed = companion ? 2 : 1;
      if (limit && tokens < needed) return this.schedule(receiver, state, this.deps.limiter.nextFreeAt(receiver, limit, now) - now);
      // Under load, hold a not-yet-full message briefly so the queue packs into fewer, denser messages.
      if (limit && messages.filter((m) => !m.companion).length === 1 && tokens <= limit.count / 2) {
        const lingerMs = Math.min(limit.perMs / limit.count, MAX_LINGER_MS);
        const waited = now - Math.max(head.createdAt, head.nextAttemptAt);
        if (waited < lingerMs && message.bytes < format.limit * 0.9) return this.schedule(receiver, state, lingerMs - waited);
      }
      await nextTurn();
      if (this.stopping) return;
      const ok = await this.deliver(channel, message, batch, now, messages.filter((m) => !m.companion));
      if (ok && companion) await this.sendCompanion(channel, companion);
      headDue = ok;
      await nextTurn();
    }
  }

  /**
   * packRound packs the head's run of jobs that share its message type (a generic message may
   * override the receiver's msgtype) into the next message (and its companion). A long notification
   * at the head is planned in slices between event-loop turns first.
   */
  private async packRound(channel: Channel, jobs: OutboxJob[], now: number): Promise<{ head: OutboxJob; batch: OutboxJob[]; packed?: { messages: PackedMessage[]; format: ReturnType<typeof formatOf> }; error?: string }> {
    const { config, engine } = this.deps.current();
    const head = jobs[0];
    const format = formatOf(channel, head.notification);
    const end = jobs.findIndex((job) => formatOf(channel, job.notification).msgtype !== format.msgtype);
    const batch = end === -1 ? jobs : jobs.slice(0, end);
    try {
      const entries = batch.map((job) => ({ id: job.id, notification: job.notification, offset: job.offset, partsSent: job.partsSent }));
      const options: PackOptions = { engine, format, timezone: config.server.timezone, now, mention: channel.mention, maxMessages: 1, style: this.deps.current().style, planCache: this.planCache };
      await planAhead(entries[0], options, nextTurn);
      return { head, batch, packed: { messages: pack(entries, options), format } };
    } catch (err) {
      return { head, batch, error: (err as Error).message };
    }
  }

  /** deliver sends one packed message and records the outcome; returns whether it was sent. */
  private async deliver(channel: Channel, message: PackedMessage, jobs: OutboxJob[], now: number, planned: PackedMessage[]): Promise<boolean> {
    const touched = jobs.filter((job) => message.sections.some((section) => section.id === job.id));
    await this.deps.store.markSending(touched.map((job) => job.id), now);
    const result = await meteredSend(this.deps, channel, message, touched[0]?.notification.source ?? 'unknown', jobParts(message, planned, touched.map((job) => ({ id: job.id, partsSent: job.partsSent, items: itemCount(job.notification) }))), sendContext(message, touched));
    if (result.ok) {
      const progress: JobProgress[] = touched.map((job) => {
        const end = Math.max(...message.sections.filter((section) => section.id === job.id).map((section) => section.end));
        return { id: job.id, offset: end, partsSent: job.partsSent + 1, done: end >= itemCount(job.notification) };
      });
      await this.deps.store.progress(progress, this.deps.clock());
      const done = touched.filter((job) => progress.find((p) => p.id === job.id)!.done);
      this.deps.metrics.notifications.inc({ receiver: channel.name, outcome: 'sent' }, done.length);
      if (done.length > 0) this.deps.onDelivered?.(done, now);
      for (const warning of result.warnings) this.deps.logger.warn({ receiver: channel.name, warning }, 'WeCom accepted the message with a warning');
      this.stateOf(channel.name).lastError = undefined;
      return true;
    }
    const head = touched[0];
    // Failure times count from the end of the call, so "wait at least a minute" holds from WeCom's view.
    now = this.deps.clock();
    const maxAge = this.deps.current().config.delivery.retry.max_age;
    if (!result.retry || now - head.createdAt >= maxAge) {
      const error = result.retry ? `${result.error} (gave up: still failing after ${formatDuration(maxAge)}, delivery.retry.max_age)` : result.error;
      await this.deadLetter(channel, touched, { errcode: result.errcode, reason: result.reason, error }, now);
      return false;
    }
    const policy = this.deps.current().config.delivery.retry;
    const delay = backoffDelay(head.attempts + 1, { initialMs: policy.initial_backoff, maxMs: policy.max_backoff }, result.retryAfterMs ?? 0);
    await this.deps.store.deferred(touched.map((job) => job.id), now + delay, result.error);
    this.deps.metrics.notifications.inc({ receiver: channel.name, outcome: 'retried' }, touched.length);
    this.logFailure(channel.name, result, `WeCom send failed; retrying in ${delay} ms`, 'warn');
    return false;
  }

  private async deadLetter(channel: Channel, jobs: OutboxJob[], failure: { errcode?: number; reason: string; error: string }, now: number): Promise<void> {
    await this.deps.store.kill(jobs.map((job) => job.id), failure, now);
    this.deps.metrics.notifications.inc({ receiver: channel.name, outcome: 'failed' }, jobs.length);
    this.deps.logger.error({ receiver: channel.name, errcode: failure.errcode, reason: failure.reason, error: failure.error, notifications: jobs.length }, 'delivery failed permanently; moved to dead letters');
  }

  /** sendCompanion: the mention-only text message; best effort (the alerts themselves were delivered). */
  private async sendCompanion(channel: Channel, companion: PackedMessage): Promise<void> {
    const result = await meteredSend(this.deps, channel, companion, 'mention');
    if (!result.ok) this.logFailure(channel.name, result, 'mention message failed (the alerts were delivered)', 'warn');
  }

  /** logFailure logs at `level` when the error changes, at debug when it repeats (no log floods). */
  private logFailure(receiver: string, result: Extract<SendResult, { ok: false }>, message: string, level: 'warn' | 'error'): void {
    const state = this.stateOf(receiver);
    const fields = { receiver, errcode: result.errcode, reason: result.reason, error: result.error };
    if (state.lastError === result.error) this.deps.logger.debug(fields, message);
    else this.deps.logger[level](fields, message);
    state.lastError = result.error;
  }
}
