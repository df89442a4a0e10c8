import type Redis from 'ioredis';

/**
 * createRedis opens the shared store connection (storage.redis). Commands fail fast while Redis is
 * unreachable (no offline queue, one retry per command), so a webhook answers 503 and the sender
 * retries, instead of the request hanging or work being accepted that cannot be stored.
 */
export function createRedis(url: string): Redis {
  // Loaded only when storage.redis is configured: the single-process default never pays its memory.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const RedisClient = require('ioredis') as typeof import('ioredis').default;
  const client = new RedisClient(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 5000,
    lazyConnect: false,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  // Connection errors are reported by readiness and by the failing commands; without a listener
  // ioredis would print every reconnect attempt as an unhandled error.
  client.on('error', () => undefined);
  return client;
}

/** waitReady resolves once the connection is up (start-up), or rejects after timeoutMs. */
export function waitReady(client: Redis, timeoutMs = 10_000): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Redis not reachable within ${timeoutMs} ms`)), timeoutMs);
    client.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
