/**
 * TokenStore keeps WeCom app access tokens per app key. The in-memory store serves a single
 * process; a shared store (Redis, SQLite) lets several replicas reuse one token instead of each
 * calling gettoken, which WeCom rate-limits (https://developer.work.weixin.qq.com/document/path/91039).
 *
 * Contract for implementations:
 * - `expiresAt` is epoch milliseconds after which the cache stops handing the token out (WeCom's
 *   expiry minus the safety margin). A shared store may use it as the entry's TTL.
 * - `delete(key, token)` is compare-and-delete: it removes the entry only while it still holds
 *   `token`, so a late "expired" report for an old token never drops a newer one.
 */
export interface StoredToken {
  token: string;
  expiresAt: number;
}

export interface TokenStore {
  get(key: string): Promise<StoredToken | undefined>;
  set(key: string, value: StoredToken): Promise<void>;
  delete(key: string, token: string): Promise<void>;
  /**
   * lock (shared stores only) takes the refresh lock of an app across processes: returns a release
   * function, or undefined while another process holds it (it is refreshing; wait for its token).
   */
  lock?(key: string, ttlMs: number): Promise<(() => Promise<void>) | undefined>;
}

/** MemoryTokenStore: a Map; entries past `expiresAt` are left for the cache to ignore and overwrite. */
export class MemoryTokenStore implements TokenStore {
  private readonly entries = new Map<string, StoredToken>();

  async get(key: string): Promise<StoredToken | undefined> {
    return this.entries.get(key);
  }

  async set(key: string, value: StoredToken): Promise<void> {
    this.entries.set(key, { ...value });
  }

  async delete(key: string, token: string): Promise<void> {
    if (this.entries.get(key)?.token === token) this.entries.delete(key);
  }
}
