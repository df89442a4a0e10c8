import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { TokenCache } from './channels/token-cache';
import type { LoadedConfig } from './config/load';
import { createMetrics, type Metrics } from './metrics';
import { SqliteOutboxStore } from './outbox/sqlite-store';
import type { OutboxStore } from './outbox/store';
import { Service } from './service';
import { createRedis } from './redis/client';
import { RedisOutboxStore } from './outbox/redis-store';
import { RedisTokenStore } from './channels/redis-token-store';
import { RedisLease } from './outbox/lease';
import { RedisHistoryStore } from './history/redis-history-store';
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
  const shared = config.storage.redis ? sharedStorage(config.storage.redis) : undefined;
  const store = options.store ?? shared?.store ?? new SqliteOutboxStore(resolve(config.storage.path));
  const metrics = createMetrics(options.registry ?? new Registry(), { pendingCounts: () => store.pendingCounts(), deadCounts: () => store.deadCounts() });
  const tokens = new TokenCache({ onRefresh: (receiver) => metrics.tokenRefreshes.inc({ receiver }), now: options.clock, store: shared?.tokens });
  const service = new Service({
    loaded: options.loaded,
    store,
    metrics,
    logger: options.logger,
    tokens,
    lease: shared?.lease,
    clock: options.clock,
    consoleWrite: options.consoleWrite,
    reloadConfig: options.reloadConfig,
    history: options.history ?? shared?.history ?? new SqliteHistoryStore(resolve(config.storage.path)),
  });
  return { service, metrics };
}

/** openStore opens the configured outbox on its own (CLI commands such as dead-letters). */
export function openStore(config: LoadedConfig['config']): OutboxStore {
  return config.storage.redis ? new RedisOutboxStore(createRedis(config.storage.redis.url), config.storage.redis.key_prefix) : new SqliteOutboxStore(resolve(config.storage.path));
}

/** sharedStorage: with storage.redis, the outbox, dedup keys, send log, tokens and leases live in Redis. */
function sharedStorage(redis: NonNullable<LoadedConfig['config']['storage']['redis']>) {
  const client = createRedis(redis.url);
  return {
    store: new RedisOutboxStore(client, redis.key_prefix),
    tokens: new RedisTokenStore(client, redis.key_prefix),
    lease: new RedisLease(client, redis.key_prefix, redis.lease),
    history: new RedisHistoryStore(client, redis.key_prefix),
  };
}
