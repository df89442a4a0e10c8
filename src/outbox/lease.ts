import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import { LEASE_ACQUIRE, LEASE_RELEASE } from '../redis/scripts';

/**
 * ReceiverLease decides which process drains a receiver's queue. With one process (SQLite) it is
 * always this one; with several replicas (Redis) exactly one holds a receiver's lease at a time, so
 * the rate limit and the order hold globally, and a dead replica's receivers are taken over when
 * its lease expires.
 * acquire → 'new' (just taken over: recover interrupted sends, reload the rate-limit window),
 * 'held' (still ours, renewed) or 'busy' (another replica drains it).
 */
export type LeaseState = 'new' | 'held' | 'busy';

export interface ReceiverLease {
  acquire(receiver: string): Promise<LeaseState>;
  release(receiver: string): Promise<void>;
  /** How long to wait before trying a busy receiver again. */
  readonly retryMs: number;
}

/** LocalLease: a single process owns every receiver; 'new' once per receiver per process. */
export class LocalLease implements ReceiverLease {
  readonly retryMs = 1000;
  private readonly seen = new Set<string>();

  async acquire(receiver: string): Promise<LeaseState> {
    if (this.seen.has(receiver)) return 'held';
    this.seen.add(receiver);
    return 'new';
  }

  async release(): Promise<void> {
    // Nothing is shared: keep ownership.
  }
}

/** RedisLease: `SET key owner NX PX ttl`, renewed by its owner before every send. */
export class RedisLease implements ReceiverLease {
  readonly owner = `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
  readonly retryMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlMs: number,
  ) {
    this.retryMs = Math.max(200, Math.floor(ttlMs / 3));
  }

  async acquire(receiver: string): Promise<LeaseState> {
    const result = (await this.redis.eval(LEASE_ACQUIRE, 1, this.key(receiver), this.owner, String(this.ttlMs))) as number;
    return result === 2 ? 'new' : result === 1 ? 'held' : 'busy';
  }

  async release(receiver: string): Promise<void> {
    await this.redis.eval(LEASE_RELEASE, 1, this.key(receiver), this.owner);
  }

  private key(receiver: string): string {
    return `${this.prefix}lease:${receiver}`;
  }
}
