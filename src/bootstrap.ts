import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { TokenCache } from './channels/token-cache';
import type { LoadedConfig } from './config/load';
import { createMetrics, type Metrics } from './metrics';
import { SqliteOutboxStore } from './outbox/sqlite-store';
import type { OutboxStore } from './outbox/store';
import { Service } from './service';
import { SqliteHistoryStore } from './history/sqlite-history-store';
import type { HistoryStore } from './history/history-store';

/**
 * createService wires the production collaborators (SQLite outbox under storage.path, token cache,
 * metrics) around a config. Tests pass their own store, clock or registry.
 */
export interface BootstrapOptions {
  loaded: LoadedConfig;
  logger: Logger;
  reloadConfig?: () => LoadedConfig;
  store?: OutboxStore;
  /** Alert history for digests; default `storage.path/history.sqlite`. */
  history?: HistoryStore;
  registry?: Registry;
  clock?: () => number;
  consoleWrite?: (text: string) => void;
}

export function createService(options: BootstrapOptions): { service: Service; metrics: Metrics } {
  // storage.path is relative to the working directory (like Prometheus' --storage.path), not the config file.
  const { config } = options.loaded;
  const store = options.store ?? new SqliteOutboxStore(resolve(config.storage.path));
  const metrics = createMetrics(options.registry ?? new Registry(), { pendingCounts: () => store.pendingCounts(), deadCounts: () => store.deadCounts() });
  const tokens = new TokenCache({ onRefresh: (receiver) => metrics.tokenRefreshes.inc({ receiver }), now: options.clock });
  const service = new Service({
    loaded: options.loaded,
    store,
    metrics,
    logger: options.logger,
    tokens,
    clock: options.clock,
    consoleWrite: options.consoleWrite,
    reloadConfig: options.reloadConfig,
    history: options.history ?? new SqliteHistoryStore(resolve(config.storage.path)),
  });
  return { service, metrics };
}
