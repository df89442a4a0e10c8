import { z } from 'zod';
import type { SendResult } from './send-result';
import { MemoryTokenStore, type TokenStore } from './token-store';

/**
 * TokenCache hands out WeCom app access tokens (wecom-api.md §2.1, SPEC §6):
 * - cached per app key (corp_id + agent_id) in a TokenStore, until `expires_in` minus a margin;
 * - one lookup/refresh in flight per app: concurrent senders share one promise, so 50 waiting
 *   messages cause one gettoken;
 * - `invalidate(key, token)` drops exactly that token (40014/41001/42001), never a newer one;
 * - after any gettoken failure, gettoken is not called again for `failureBackoffMs` (default 60 s):
 *   calls fail fast with the remembered failure, because a wrong secret retried in a loop makes
 *   WeCom block the server's IP for an hour (https://developer.work.weixin.qq.com/document/path/91039);
 * - `onRefresh(receiver)` is called for every gettoken call, successful or not
 *   (`wecom_adapter_token_refreshes_total{receiver}`).
 */
export type SendFailure = Extract<SendResult, { ok: false }>;

/** GettokenReply: the parsed JSON of an errcode-0 gettoken answer, or the classified failure. */
export type GettokenReply = { ok: true; answer: unknown } | { ok: false; failure: SendFailure };
export type TokenFetcher = () => Promise<GettokenReply>;

/** TokenApp names the cache entry (`key`) and the receiver to count a refresh for. */
export interface TokenApp {
  key: string;
  receiver: string;
}

/** appTokenKey: tokens are per app, so the key is corp_id + agent_id. */
export function appTokenKey(corpId: string, agentId: number | string): string {
  return `${corpId}/${agentId}`;
}

/** The fields we rely on, validated: the field is `expires_in` (Grafana reads `expire_in` and gets 0). */
const gettokenAnswer = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().int().positive(),
});

/** TokenError carries the failure as a SendResult the channel can return as is. */
export class TokenError extends Error {
  constructor(readonly failure: SendFailure) {
    super(failure.error);
    this.name = 'TokenError';
  }
}

export interface TokenCacheOptions {
  store?: TokenStore;
  /** Clock in epoch ms (tests pass a fake). */
  now?: () => number;
  /** Treat a token as stale this long before WeCom's expiry (default 300 s). */
  marginMs?: number;
  /** After a gettoken failure, do not call gettoken again for this long (default 60 s). */
  failureBackoffMs?: number;
  onRefresh?: (receiver: string) => void;
}

/** How long a replica waits for another replica's gettoken before calling it itself. */
const SHARED_REFRESH_WAIT_MS = 10_000;

export class TokenCache {
  private readonly store: TokenStore;
  private readonly now: () => number;
  private readonly marginMs: number;
  private readonly failureBackoffMs: number;
  private readonly inflight = new Map<string, Promise<string>>();
  private readonly failures = new Map<string, { failure: SendFailure; until: number }>();
  /** Last token reported invalid per key: a lookup that started before invalidate() must not reuse it. */
  private readonly revoked = new Map<string, string>();

  constructor(private readonly options: TokenCacheOptions = {}) {
    this.store = options.store ?? new MemoryTokenStore();
    this.now = options.now ?? Date.now;
    this.marginMs = options.marginMs ?? 300_000;
    this.failureBackoffMs = options.failureBackoffMs ?? 60_000;
  }

  /** get returns a usable token for the app; throws TokenError when none can be had. */
  async get(app: TokenApp, fetcher: TokenFetcher): Promise<string> {
    const token = await this.shared(app, fetcher);
    // That lookup may have begun before someone revoked its token; a second one sees the revocation.
    return token === this.revoked.get(app.key) ? this.shared(app, fetcher) : token;
  }

  /** invalidate drops `token` if it is still the cached one for `key`. */
  async invalidate(key: string, token: string): Promise<void> {
    this.revoked.set(key, token);
    await this.store.delete(key, token);
  }

  private shared(app: TokenApp, fetcher: TokenFetcher): Promise<string> {
    let pending = this.inflight.get(app.key);
    if (!pending) {
      pending = this.lookup(app, fetcher).finally(() => this.inflight.delete(app.key));
      this.inflight.set(app.key, pending);
    }
    return pending;
  }

  private async lookup(app: TokenApp, fetcher: TokenFetcher): Promise<string> {
    const stored = await this.store.get(app.key);
    if (stored && this.now() < stored.expiresAt && stored.token !== this.revoked.get(app.key)) return stored.token;
    const remembered = this.failures.get(app.key);
    if (remembered && this.now() < remembered.until) throw new TokenError(this.replay(remembered.failure, remembered.until));
    return this.refresh(app, fetcher);
  }

  private async refresh(app: TokenApp, fetcher: TokenFetcher): Promise<string> {
    if (!this.store.lock) return this.fetchToken(app, fetcher);
    // Several replicas: only the lock holder calls gettoken; the others wait for its token.
    const deadline = this.now() + SHARED_REFRESH_WAIT_MS;
    for (;;) {
      const release = await this.store.lock(app.key, SHARED_REFRESH_WAIT_MS);
      if (release) {
        try {
          const stored = await this.store.get(app.key);
          if (stored && this.now() < stored.expiresAt && stored.token !== this.revoked.get(app.key)) return stored.token;
          return await this.fetchToken(app, fetcher);
        } finally {
          await release();
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
      const stored = await this.store.get(app.key);
      if (stored && this.now() < stored.expiresAt && stored.token !== this.revoked.get(app.key)) return stored.token;
      if (this.now() > deadline) return this.fetchToken(app, fetcher);
    }
  }

  private async fetchToken(app: TokenApp, fetcher: TokenFetcher): Promise<string> {
    this.options.onRefresh?.(app.receiver);
    const startedAt = this.now();
    const read = readReply(await callSafely(fetcher));
    if (!read.ok) {
      const until = startedAt + this.failureBackoffMs;
      this.failures.set(app.key, { failure: read.failure, until });
      throw new TokenError(read.failure.retry ? { ...read.failure, retryAfterMs: Math.max(read.failure.retryAfterMs ?? 0, this.failureBackoffMs) } : read.failure);
    }
    const lifetimeMs = read.expiresInSec * 1000;
    // The margin never eats more than half the lifetime, else a short-lived token would be refetched per message.
    const expiresAt = startedAt + lifetimeMs - Math.min(this.marginMs, lifetimeMs / 2);
    await this.store.set(app.key, { token: read.token, expiresAt });
    this.failures.delete(app.key);
    return read.token;
  }

  /** replay: the remembered failure, saying why gettoken is not tried again yet. */
  private replay(failure: SendFailure, until: number): SendFailure {
    const waitMs = until - this.now();
    const error = `${failure.error} (gettoken paused for ${Math.ceil(waitMs / 1000)} s after this failure: repeated wrong secrets make WeCom block the IP for an hour)`;
    return failure.retry ? { ...failure, error, retryAfterMs: waitMs } : { ...failure, error };
  }
}

async function callSafely(fetcher: TokenFetcher): Promise<GettokenReply> {
  try {
    return await fetcher();
  } catch (err) {
    return { ok: false, failure: { ok: false, retry: true, reason: 'gettoken_error', error: `gettoken failed: ${(err as Error)?.message ?? String(err)}` } };
  }
}

/** readReply validates an errcode-0 answer; the token and lifetime come only from the checked shape. */
function readReply(reply: GettokenReply): { ok: true; token: string; expiresInSec: number } | { ok: false; failure: SendFailure } {
  if (!reply.ok) return reply;
  const parsed = gettokenAnswer.safeParse(reply.answer);
  if (!parsed.success) return { ok: false, failure: malformedAnswer(parsed.error) };
  return { ok: true, token: parsed.data.access_token, expiresInSec: parsed.data.expires_in };
}

/** malformedAnswer never quotes the answer: it contains the token. */
function malformedAnswer(error: z.ZodError): SendFailure {
  const fields = error.issues.map((issue) => issue.path.join('.') || '(root)').join(', ');
  return { ok: false, retry: true, reason: 'bad_token_answer', error: `gettoken answered errcode 0 without a valid ${fields}` };
}
