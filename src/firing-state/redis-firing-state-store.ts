import type Redis from 'ioredis';
import { FIRING_STATE_TTL_MS, type FiringKey, type FiringStateStore } from './firing-state-store';

/**
 * RedisFiringStateStore: the firing state shared by replicas (storage.redis). One key per firing
 * identity, expiring after FIRING_STATE_TTL_MS unless refreshed; claiming is a DEL, which Redis
 * executes atomically, so of two replicas receiving resolutions at once exactly one sees 1. The
 * connection belongs to the outbox store, which closes it.
 */
export class RedisFiringStateStore implements FiringStateStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key({ source, fingerprint }: FiringKey): string {
    return `${this.prefix}firing:${source}:${fingerprint}`;
  }

  async markFiring(keys: FiringKey[], now: number): Promise<void> {
    if (keys.length === 0) return;
    const pipeline = this.redis.multi();
    for (const key of keys) pipeline.set(this.key(key), String(now), 'PX', FIRING_STATE_TTL_MS);
    const results = await pipeline.exec();
    const failed = results?.find(([err]) => err);
    if (!results || failed) throw failed?.[0] ?? new Error('Redis transaction aborted');
  }

  async claimResolution(key: FiringKey): Promise<boolean> {
    return (await this.redis.del(this.key(key))) > 0;
  }

  async isFiring(key: FiringKey): Promise<boolean> {
    return (await this.redis.exists(this.key(key))) > 0;
  }
}
