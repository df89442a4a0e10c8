import type { Logger } from 'pino';
import type { TokenCache } from './channels/token-cache';
import type { LoadedConfig } from './config/load';
import { HttpError } from './http/errors';
import { initReceivers, type Metrics } from './metrics';
import { receiverKind } from './config/receivers-schema';
import type { Notification } from './model/notification';
import type { OutboxStore } from './outbox/store';
import { SlidingWindowLimiter } from './outbox/rate-limiter';
import { DeliveryWorker } from './outbox/worker';
import { LocalLease, type ReceiverLease } from './outbox/lease';
import { dedupKey } from './pipeline/dedup-key';
import { planMessage } from './pipeline/message-plan';
import { planNotifications } from './pipeline/plan';
import { buildState, secretsOf, type RuntimeState, type StateDeps } from './runtime-state';
import { findSource } from './sources/registry';
import type { HistoryStore } from './history/history-store';
import type { ActionStore, CardRecord } from './interactive/action-store';
import { EscalationScheduler } from './interactive/escalation-scheduler';
import { HistoryRecorder, isDiskFull } from './history/recorder';
import { WriteHealth } from './storage/write-health';
import type { FiringStateStore } from './firing-state/firing-state-store';
import { applyResolutionRule, RULE_SOURCES, undoClaims, type RuleOutcome } from './firing-state/resolution-rule';
import type { Alert } from './model/alert';
import { UnknownReceiverLog } from './unknown-receivers/unknown-receiver-log';

/** A delivery loop error that means the outbox file itself is damaged (readiness fails on it). */
const STORAGE_DAMAGE = /SQLITE_CORRUPT|SQLITE_NOTADB|malformed|not a database/i;

/**
 * Service is the running adapter: the current runtime state (config, channels, templates), the
 * outbox and its worker. The ingest path reads top to bottom: parse → normalize → route → dedup →
 * enqueue durably → answer; delivery happens after, in the worker.
 */
export interface ServiceDeps {
  loaded: LoadedConfig;
  store: OutboxStore;
  metrics: Metrics;
  logger: Logger;
  tokens: TokenCache;
  clock?: () => number;
  consoleWrite?: (text: string) => void;
  /** Which process drains which receiver; default: this one owns all (single process). */
  lease?: ReceiverLease;
  /** Reads the config again (for reload); throws ConfigError. */
  reloadConfig?: () => LoadedConfig;
  /** Alert history for digests (every received alert is recorded at ingest). */
  history?: HistoryStore;
  /** Which Watcher alerts are firing, so that only their resolutions are delivered (src/firing-state/). */
  firingState: FiringStateStore;
  /** Cards, acknowledgements, silences, escalation timers and the audit log (src/interactive/). */
  actions?: ActionStore;
  /** The storage-directory lock this process holds (SQLite mode); checked by readiness, released by stop. */
  storageLock?: { problem(): string | undefined; release(): void };
  /** The thread that checkpoints the SQLite files (storage/checkpointer.ts); closed before them. */
  checkpointer?: { close(): Promise<void> };
  /** Damaged storage files found at start and moved aside (shown by readiness as a warning). */
  storageProblems?: { message: string }[];
}

export interface IngestResult {
  alerts: number;
  notifications: number;
  deduplicated: number;
  skipped?: string;
  /** Resolutions dropped because their alert was not known to be firing (Watcher, resolution-rule.ts). */
  suppressed?: number;
}

export class Service {
  readonly worker: DeliveryWorker;
  readonly clock: () => number;
  private state: RuntimeState;
  private accepting = true;
  private readonly stateDeps: StateDeps;
  readonly limiter = new SlidingWindowLimiter();
  private readonly writeHealth = new WriteHealth();
  private readonly recorder?: HistoryRecorder;
  private escalator?: EscalationScheduler;
  private readonly reloadListeners: ((state: RuntimeState) => void)[] = [];
  /** The last webhooks to an unknown receiver, for the console (issue 14 item 6). */
  readonly unknownReceivers = new UnknownReceiverLog();

  constructor(private readonly deps: ServiceDeps) {
    this.clock = deps.clock ?? Date.now;
    this.stateDeps = {
      tokens: deps.tokens,
      consoleWrite: deps.consoleWrite,
      onInvalidRecipients: (receiver, kind, count) => deps.metrics.invalidRecipients.inc({ receiver, kind }, count),
      // A recorded card may start an escalation timer (route `escalation`).
      cards: deps.actions ? { saveCard: (card) => this.recordCard(card) } : undefined,
      clock: this.clock,
    };
    this.state = buildState(deps.loaded, this.stateDeps);
    this.initMetrics();
    for (const source of RULE_SOURCES) deps.metrics.resolutionsSuppressed.inc({ source }, 0);
    if (deps.history) this.recorder = new HistoryRecorder(deps.history, deps.logger, () => this.state.config.delivery.history_retention, deps.metrics.historyDropped);
    this.worker = new DeliveryWorker({
      store: deps.store,
      limiter: this.limiter,
      metrics: deps.metrics,
      logger: deps.logger,
      clock: this.clock,
      current: () => this.state,
      lease: deps.lease ?? new LocalLease(),
    });
  }

  get current(): RuntimeState {
    return this.state;
  }

  /** The interactive-card state (acks, silences, audit), when configured. */
  get actions(): ActionStore | undefined {
    return this.deps.actions;
  }

  /** Escalation of unacknowledged interactive cards (needs the action store). */
  get escalation(): EscalationScheduler | undefined {
    const actions = this.deps.actions;
    if (!actions) return undefined;
    this.escalator ??= new EscalationScheduler({
      store: actions,
      metrics: this.deps.metrics,
      logger: this.deps.logger,
      clock: this.clock,
      config: () => this.state.config,
      isResolved: (card) => this.cardResolved(card),
      notify: (receiver, title, content, mention) => this.notifyText(receiver, title, content, mention).then(() => undefined),
    });
    return this.escalator;
  }

  /** notifyText queues a short generic message (card actions, escalations) like POST /api/v1/messages. */
  async notifyText(receiver: string, title: string, content: string, mention: string[] = []): Promise<void> {
    await this.enqueue([{ kind: 'message', source: 'api', receiver, template: 'message', title, content, labels: {}, ...(mention.length ? { mention: { users: mention } } : {}), createdAt: new Date(this.clock()).toISOString() }]);
  }

  private async recordCard(card: CardRecord): Promise<void> {
    await this.deps.actions!.saveCard(card);
    await this.escalation?.planned(card).catch((err: unknown) => this.deps.logger.error({ err: String(err), task: card.taskId }, 'cannot schedule the escalation of a card'));
  }

  /** cardResolved: every alert on the card has a resolved record received since the card was sent. */
  private async cardResolved(card: CardRecord): Promise<boolean> {
    if (!this.deps.history) return false;
    const latest = await this.deps.history.latest(card.createdAt, this.clock() + 1);
    return card.alerts.every((alert) => latest.some((record) => record.fingerprint === alert.fingerprint && record.status === 'resolved'));
  }

  get store(): OutboxStore {
    return this.deps.store;
  }

  /** The alert history (digests), when configured. */
  get history(): HistoryStore | undefined {
    return this.deps.history;
  }

  /** onReload registers a listener called with the new state after each successful reload (digest scheduler). */
  onReload(listener: (state: RuntimeState) => void): void {
    this.reloadListeners.push(listener);
  }

  /** secrets: every configured secret value, for log scrubbing. */
  secrets(): string[] {
    return secretsOf(this.state);
  }

  async start(): Promise<void> {
    await this.worker.start();
    this.escalation?.start();
  }

  /** ingest handles one webhook body end to end up to the durable enqueue. Throws HttpError. */
  async ingest(sourceName: string, body: unknown, pinnedReceiver?: string): Promise<IngestResult> {
    const source = findSource(sourceName);
    if (!source) throw new HttpError(404, `unknown source "${sourceName}" (use alertmanager, grafana or kibana)`);
    if (pinnedReceiver !== undefined && !this.state.channels.has(pinnedReceiver)) {
      throw new HttpError(404, `unknown receiver "${pinnedReceiver}"`);
    }
    const now = this.clock();
    const parsed = source.parse(body, new Date(now));
    for (const alert of parsed.alerts) this.deps.metrics.alertsReceived.inc({ source: parsed.source, status: alert.status });
    // Suppressed resolutions are no alert events: they stay out of the history (digests) too.
    const rule = await this.resolutionRule(parsed.alerts, now);
    await this.recorder?.record(rule.alerts, now);
    if (parsed.notice) {
      // A notice instead of alerts (a Kibana connector test): routed like this source's alerts.
      const notices = planMessage({ ...parsed.notice, labels: {}, ...(pinnedReceiver !== undefined ? { receiver: pinnedReceiver } : {}) }, this.state, now, parsed.source);
      return { alerts: 0, ...(await this.enqueue(notices, now)), skipped: parsed.skipped };
    }
    if (parsed.alerts.length === 0) return { alerts: 0, notifications: 0, deduplicated: 0, skipped: parsed.skipped };
    const suppressed = rule.suppressed > 0 ? { suppressed: rule.suppressed } : {};
    if (rule.alerts.length === 0) return { alerts: parsed.alerts.length, notifications: 0, deduplicated: 0, ...suppressed };
    const plan = planNotifications({ ...parsed, alerts: rule.alerts }, this.state.config.route, pinnedReceiver, this.state.style.severity);
    try {
      return { alerts: parsed.alerts.length, ...(await this.enqueue(plan.notifications, now)), ...suppressed };
    } catch (err) {
      // Not queued: the firing records the delivered resolutions consumed must be there for the retry.
      await undoClaims(rule.claimed, this.deps.firingState, now).catch((undoErr) => this.deps.logger.error({ err: String(undoErr) }, 'could not restore firing state after a failed enqueue'));
      throw err;
    }
  }

  /** resolutionRule applies the firing-state rule (resolution-rule.ts); storage errors answer 503. */
  private async resolutionRule(alerts: Alert[], now: number): Promise<RuleOutcome> {
    let outcome: RuleOutcome;
    try {
      outcome = await applyResolutionRule(alerts, this.deps.firingState, now);
    } catch (err) {
      this.deps.logger.error({ err: String(err) }, 'firing-state write failed; answering 503 so the sender retries');
      throw new HttpError(503, 'the firing state cannot be read or written right now (storage error); retry later');
    }
    if (outcome.suppressed > 0) {
      this.deps.metrics.resolutionsSuppressed.inc({ source: alerts[0].source }, outcome.suppressed);
      this.deps.logger.debug({ source: alerts[0].source, suppressed: outcome.suppressed }, 'resolution of an alert not known to be firing suppressed');
    }
    return outcome;
  }

  /** enqueue persists notifications (deduplicated) and wakes their receivers; 503 when it cannot. */
  async enqueue(notifications: Notification[], now = this.clock()): Promise<{ notifications: number; deduplicated: number }> {
    if (!this.accepting) throw new HttpError(503, 'shutting down: not accepting new work, retry on another instance');
    if (notifications.length === 0) return { notifications: 0, deduplicated: 0 };
    let result;
    const items = notifications.map((notification) => ({ notification, dedupKey: dedupKey(notification) }));
    try {
      try {
        result = await this.deps.store.enqueue(items, now, this.state.config.delivery.dedup_window);
      } catch (err) {
        // History is best effort and shares the disk: it gives its space up before a webhook is refused.
        if (!isDiskFull(err) || !(await this.recorder?.release('the outbox could not be written: the disk is full'))) throw err;
        result = await this.deps.store.enqueue(items, now, this.state.config.delivery.dedup_window);
      }
      this.writeHealth.record(this.clock());
    } catch (err) {
      this.writeHealth.record(this.clock(), err);
      this.deps.logger.error({ err: String(err) }, 'outbox write failed; answering 503 so the sender retries');
      throw new HttpError(503, 'the outbox cannot accept work right now (storage error); retry later');
    }
    for (const receiver of result.duplicateReceivers) this.deps.metrics.notifications.inc({ receiver, outcome: 'deduplicated' });
    for (const receiver of result.receivers) this.worker.kick(receiver);
    return { notifications: result.queued, deduplicated: result.deduplicated };
  }

  /** reload re-reads config and templates; the swap is atomic; on error the running state stays. */
  reload(): RuntimeState {
    if (!this.deps.reloadConfig) throw new Error('reload is not available for the embedded default config');
    try {
      const loaded = this.deps.reloadConfig();
      const next = buildState(loaded, this.stateDeps);
      const previous = this.state;
      this.state = next;
      this.initMetrics();
      this.deps.metrics.configReloadSuccessful.set(1);
      this.deps.metrics.configReloadTime.set(this.clock() / 1000);
      setTimeout(() => void previous.http.close().catch(() => undefined), 30_000).unref();
      void this.deps.store.receiversWithWork().then((receivers) => receivers.forEach((receiver) => this.worker.kick(receiver)));
      this.deps.logger.info({ config: loaded.source, receivers: next.config.receivers.length }, 'configuration reloaded');
      for (const listener of this.reloadListeners) {
        try {
          listener(next);
        } catch (err) {
          this.deps.logger.error({ err: String(err) }, 'a reload listener failed');
        }
      }
      return next;
    } catch (err) {
      this.deps.metrics.configReloadSuccessful.set(0);
      this.deps.logger.error({ err: (err as Error).message }, 'configuration reload failed; keeping the running configuration');
      throw err;
    }
  }

  /** ready: config loaded and outbox writable (readiness probe). */
  /**
   * ready: would a webhook be durably accepted now? The last outbox write (or a real probe write,
   * at most every few seconds, see WriteHealth), the storage lock, and receivers whose queue cannot
   * be read because the file is damaged. Warnings (a damaged file moved aside at start) are shown
   * without failing readiness: the service accepts work on its new file.
   */
  async ready(): Promise<{ ok: boolean; checks: Record<string, string> }> {
    const write = await this.writeHealth.current(this.clock(), (now) => this.deps.store.probe(now));
    const checks: Record<string, string> = { config: 'ok', outbox: write.ok ? 'ok' : 'not writable', accepting: this.accepting ? 'ok' : 'shutting down' };
    if (!write.ok) checks.outbox_error = write.error ?? 'unknown';
    const lockProblem = this.deps.storageLock?.problem();
    if (this.deps.storageLock) checks.storage_lock = lockProblem ?? 'ok';
    const damaged = Object.entries(this.worker.failingReceivers()).filter(([, error]) => STORAGE_DAMAGE.test(error));
    if (damaged.length > 0) checks.outbox_read = damaged.map(([receiver, error]) => `cannot read the queue of ${receiver}: ${error}`).join('; ');
    if (this.deps.storageProblems?.length) checks.storage_warnings = this.deps.storageProblems.map((problem) => problem.message).join('; ');
    return { ok: write.ok && this.accepting && !lockProblem && damaged.length === 0, checks };
  }

  /** stop: refuse new work (503), let in-flight sends finish within the grace period, close storage. */
  async stop(): Promise<void> {
    this.accepting = false;
    await this.worker.stop(this.state.config.delivery.shutdown_grace);
    await this.deps.checkpointer?.close();
    await this.deps.store.close();
    await this.deps.history?.close().catch(() => undefined);
    await this.escalator?.stop();
    await this.deps.actions?.close().catch(() => undefined);
    await this.state.http.close().catch(() => undefined);
    // Last: the directory is free for the next process only once its files are closed.
    this.deps.storageLock?.release();
  }

  private initMetrics(): void {
    initReceivers(this.deps.metrics, this.state.config.receivers.map((receiver) => ({ name: receiver.name, kind: receiverKind(receiver) })));
  }
}
