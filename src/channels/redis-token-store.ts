import type Redis from 'ioredis';
import { TOKEN_DELETE, LEASE_ACQUIRE, LEASE_RELEASE } from '../redis/scripts';
import type { StoredToken, TokenStore } from './token-store';
import { randomBytes } from 'node:crypto';

/**
 * RedisTokenStore shares app access tokens between replicas (one gettoken per app, not per
 * replica), expiring with the token, and provides the cross-replica refresh lock so only one
 * replica calls gettoken at a time (WeCom rate-limits gettoken and blocks IPs after bad secrets).
 */
export class RedisTokenStore implements TokenStore {
  private readonly owner = randomBytes(6).toString('hex');

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async get(key: string): Promise<StoredToken | undefined> {
    const value = await this.redis.get(this.tokenKey(key));
    return value ? (JSON.parse(value) as StoredToken) : undefined;
  }

  async set(key: string, value: StoredToken): Promise<void> {
    const ttl = Math.max(1000, value.expiresAt - Date.now());
    await this.redis.set(this.tokenKey(key), JSON.stringify(value), 'PX', ttl);
  }

  async delete(key: string, token: string): Promise<void> {
    await this.redis.eval(TOKEN_DELETE, 1, this.tokenKey(key), token);
  }

  async lock(key: string, ttlMs: number): Promise<(() => Promise<void>) | undefined> {
    const lockKey = `${this.prefix}tokenlock:${key}`;
    const owner = `${this.owner}-${Math.random().toString(36).slice(2)}`;
    const got = (await this.redis.eval(LEASE_ACQUIRE, 1, lockKey, owner, String(ttlMs))) as number;
    if (got === 0) return undefined;
    return async () => {
      await this.redis.eval(LEASE_RELEASE, 1, lockKey, owner);
    };
  }

  private tokenKey(key: string): string {
    return `${this.prefix}token:${key}`;
  }
}
