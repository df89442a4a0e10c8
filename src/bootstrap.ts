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
import { StorageLock } from './storage/storage-lock';
import { Checkpointer } from './storage/checkpointer';
import type { StorageProblem } from './storage/sqlite-open';
import type { ActionStore } from './interactive/action-store';
import { SqliteActionStore } from './interactive/sqlite-action-store';
import { RedisActionStore } from './interactive/redis-action-store';
import type { FiringStateStore } from './firing-state/firing-state-store';
import { SqliteFiringStateStore } from './firing-state/sqlite-firing-state-store';
import { RedisFiringStateStore } from './firing-state/redis-firing-state-store';

/**
 * createService wires the production collaborators (SQLite outbox under storage.path, token cache,
 * metrics) around a config. Tests pass their own store, clock or registry.
 */
export interface BootstrapOptions {
  loaded: LoadedConfig;
  logger: Logger;
  reloadConfig?: () => LoadedConfig;
  store?: OutboxStore;
  /** Interactive cards, acks, silences and the audit log; default `storage.path/actions.sqlite`. */
  actions?: ActionStore;
  /** Alert history for digests; default `storage.path/history.sqlite`. */
  history?: HistoryStore;
  /** Firing state (Watcher resolutions); default: a table in the outbox (SQLite file or Redis). Required with an injected `store`. */
  firingState?: FiringStateStore;
  registry?: Registry;
  clock?: () => number;
  consoleWrite?: (text: string) => void;
}

export function createService(options: BootstrapOptions): { service: Service; metrics: Metrics } {
  // storage.path is relative to the working directory (like Prometheus' --storage.path), not the config file.
  const { config } = options.loaded;
  const shared = config.storage.redis ? sharedStorage(config.storage.redis) : undefined;
  const dir = resolve(config.storage.path);
  // One process per storage directory (SQLite mode; with storage.redis nothing is kept locally).
  // Taken before any file is opened, so only the holder may move damaged files aside.
  const lock = !shared && !options.store ? StorageLock.acquire(dir) : undefined;
  let store: OutboxStore;
  let history: HistoryStore;
  // Checkpoints (two fsyncs each) of the SQLite files run on its thread, off the event loop.
  let checkpointer: Checkpointer | undefined;
  try {
    store = options.store ?? shared?.store ?? new SqliteOutboxStore(dir, undefined, { repair: true });
    if (store instanceof SqliteOutboxStore) {
      checkpointer = new Checkpointer({ onError: (path, error) => options.logger.error({ path, err: error }, 'WAL checkpoint failed; retried at the next round') });
      store.useCheckpointer(checkpointer);
    }
    history = options.history ?? shared?.history ?? new SqliteHistoryStore(dir, undefined, { repair: lock !== undefined, maxBytes: config.storage.history_max_size });
    if (checkpointer && history instanceof SqliteHistoryStore) history.useCheckpointer(checkpointer);
  } catch (err) {
    void checkpointer?.close();
    lock?.release();
    throw err;
  }
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
    history,
    storageLock: lock,
    checkpointer,
    storageProblems: reportStorageProblems([store, history], metrics, options.logger),
    firingState: options.firingState ?? shared?.firingState ?? sqliteFiringState(store),
    actions: options.actions ?? shared?.actions ?? sqliteActions(resolve(config.storage.path), checkpointer),
  });
  return { service, metrics };
}

/** reportStorageProblems logs (error) and counts the damaged files the stores moved aside at start. */
function reportStorageProblems(stores: unknown[], metrics: Metrics, logger: Logger): StorageProblem[] {
  const problems = stores.flatMap((store) => (store instanceof SqliteOutboxStore || store instanceof SqliteHistoryStore ? store.problems : []));
  for (const problem of problems) {
    metrics.storageProblems.inc({ file: problem.file, problem: problem.problem });
    logger.error({ file: problem.file, problem: problem.problem, path: problem.path, movedTo: problem.movedTo }, problem.message);
  }
  return problems;
}

/** sqliteFiringState keeps the firing state in the SQLite outbox's file, on its connection. */
function sqliteFiringState(store: OutboxStore): FiringStateStore {
  if (!(store instanceof SqliteOutboxStore)) throw new Error('createService: an injected outbox store needs an injected firingState');
  return new SqliteFiringStateStore(store.database, () => store.durable());
}

/** sqliteActions opens `actions.sqlite`, its checkpoints on the service's checkpoint thread. */
function sqliteActions(dir: string, checkpointer: Checkpointer | undefined): SqliteActionStore {
  const actions = new SqliteActionStore(dir);
  if (checkpointer) actions.useCheckpointer(checkpointer);
  return actions;
}

/** openStore opens the configured outbox on its own (CLI commands such as dead-letters). */
export function openStore(config: LoadedConfig['config']): OutboxStore {
  return config.storage.redis ? new RedisOutboxStore(createRedis(config.storage.redis.url), config.storage.redis.key_prefix) : new SqliteOutboxStore(resolve(config.storage.path));
}

/** sharedStorage: with storage.redis, the outbox, dedup keys, send log, tokens, leases and firing state live in Redis. */
function sharedStorage(redis: NonNullable<LoadedConfig['config']['storage']['redis']>) {
  const client = createRedis(redis.url);
  return {
    store: new RedisOutboxStore(client, redis.key_prefix),
    tokens: new RedisTokenStore(client, redis.key_prefix),
    lease: new RedisLease(client, redis.key_prefix, redis.lease),
    history: new RedisHistoryStore(client, redis.key_prefix),
    firingState: new RedisFiringStateStore(client, redis.key_prefix),
    actions: new RedisActionStore(client, redis.key_prefix),
  };
}
