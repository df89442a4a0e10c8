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
import { planNotifications } from './pipeline/plan';
import { buildState, secretsOf, type RuntimeState, type StateDeps } from './runtime-state';
import { findSource } from './sources/registry';
import type { HistoryStore } from './history/history-store';
import { HistoryRecorder } from './history/recorder';

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
}

export interface IngestResult {
  alerts: number;
  notifications: number;
  deduplicated: number;
  skipped?: string;
}

export class Service {
  readonly worker: DeliveryWorker;
  readonly clock: () => number;
  private state: RuntimeState;
  private accepting = true;
  private readonly stateDeps: StateDeps;
  readonly limiter = new SlidingWindowLimiter();
  private readonly recorder?: HistoryRecorder;
  private readonly reloadListeners: ((state: RuntimeState) => void)[] = [];

  constructor(private readonly deps: ServiceDeps) {
    this.clock = deps.clock ?? Date.now;
    this.stateDeps = {
      tokens: deps.tokens,
      consoleWrite: deps.consoleWrite,
      onInvalidRecipients: (receiver, kind, count) => deps.metrics.invalidRecipients.inc({ receiver, kind }, count),
    };
    this.state = buildState(deps.loaded, this.stateDeps);
    this.initMetrics();
    if (deps.history) this.recorder = new HistoryRecorder(deps.history, deps.logger, () => this.state.config.delivery.history_retention);
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
    await this.recorder?.record(parsed.alerts, now);
    if (parsed.alerts.length === 0) return { alerts: 0, notifications: 0, deduplicated: 0, skipped: parsed.skipped };
    const plan = planNotifications(parsed, this.state.config.route, pinnedReceiver);
    return { alerts: parsed.alerts.length, ...(await this.enqueue(plan.notifications, now)) };
  }

  /** enqueue persists notifications (deduplicated) and wakes their receivers; 503 when it cannot. */
  async enqueue(notifications: Notification[], now = this.clock()): Promise<{ notifications: number; deduplicated: number }> {
    if (!this.accepting) throw new HttpError(503, 'shutting down: not accepting new work, retry on another instance');
    if (notifications.length === 0) return { notifications: 0, deduplicated: 0 };
    let result;
    try {
      result = await this.deps.store.enqueue(
        notifications.map((notification) => ({ notification, dedupKey: dedupKey(notification) })),
        now,
        this.state.config.delivery.dedup_window,
      );
    } catch (err) {
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
  async ready(): Promise<{ ok: boolean; checks: Record<string, string> }> {
    const writable = await this.deps.store.writable().catch(() => false);
    const checks = { config: 'ok', outbox: writable ? 'ok' : 'not writable', accepting: this.accepting ? 'ok' : 'shutting down' };
    return { ok: writable && this.accepting, checks };
  }

  /** stop: refuse new work (503), let in-flight sends finish within the grace period, close storage. */
  async stop(): Promise<void> {
    this.accepting = false;
    await this.worker.stop(this.state.config.delivery.shutdown_grace);
    await this.deps.store.close();
    await this.deps.history?.close().catch(() => undefined);
    await this.state.http.close().catch(() => undefined);
  }

  private initMetrics(): void {
    initReceivers(this.deps.metrics, this.state.config.receivers.map((receiver) => ({ name: receiver.name, kind: receiverKind(receiver) })));
  }
}
