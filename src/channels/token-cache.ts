import { z } from 'zod';
import type { SendResult } from './send-result';
import { MemoryTokenStore, type TokenStore } from './token-store';

/**
 * TokenCache hands out WeCom app access tokens (wecom-api.md §2.1, SPEC §6):
 * - cached per app key (corp_id + agent_id) in a TokenStore, until `expires_in` minus a margin;
 * - one lookup/refresh in flight per app: concurrent senders share one promise, so 50 waiting
 *   messages cause one gettoken;
 * - `invalidate(key, token)` drops exactly that token (40014/41001/42001), never a newer one;
 * - after gettoken rejects the credentials (a permanent answer: 40001 wrong secret, 40013 wrong
 *   corp_id, 60020 untrusted IP, …), gettoken is not called again for `failureBackoffMs` (default
 *   60 s): calls fail fast with the remembered failure, because a wrong secret retried in a loop makes
 *   WeCom block the server's IP for an hour (https://developer.work.weixin.qq.com/document/path/91039);
 * - after a transient failure (reset connection, timeout, HTTP 5xx, errcode -1, a malformed answer)
 *   the pause is short: exponential from `transientBackoff.initialMs` (1 s) with jitter, doubling
 *   per consecutive failure up to `transientBackoff.maxMs` (30 s), and never shorter than WeCom
 *   asked (45009) — one reset connection must not stop every app send for a minute;
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
  /** After gettoken rejected the credentials, do not call it again for this long (default 60 s). */
  failureBackoffMs?: number;
  /** Pause after transient gettoken failures: jittered, doubling per failure (default 1 s … 30 s). */
  transientBackoff?: { initialMs: number; maxMs: number };
  /** Jitter source in [0, 1) (tests pass a fixed one). */
  random?: () => number;
  onRefresh?: (receiver: string) => void;
}

/** Wrong secret (40001) or corp_id (40013): wecom-api.md §2.1, repeated ones block the IP for an hour. */
const CREDENTIAL_ERRCODES = new Set([40001, 40013]);

/** A gettoken failure and until when it is replayed instead of calling gettoken again. */
interface RememberedFailure {
  failure: SendFailure;
  until: number;
  /** credentials: WeCom refused permanently; transient: network, 5xx, -1, a malformed answer. */
  cause: 'credentials' | 'transient';
  /** Consecutive transient failures, for the doubling pause. */
  streak: number;
}

/** How long a replica waits for another replica's gettoken before calling it itself. */
const SHARED_REFRESH_WAIT_MS = 10_000;

export class TokenCache {
  private readonly store: TokenStore;
  private readonly now: () => number;
  private readonly marginMs: number;
  private readonly failureBackoffMs: number;
  private readonly transientBackoff: { initialMs: number; maxMs: number };
  private readonly random: () => number;
  private readonly inflight = new Map<string, Promise<string>>();
  private readonly failures = new Map<string, RememberedFailure>();
  /** Last token reported invalid per key: a lookup that started before invalidate() must not reuse it. */
  private readonly revoked = new Map<string, string>();

  constructor(private readonly options: TokenCacheOptions = {}) {
    this.store = options.store ?? new MemoryTokenStore();
    this.now = options.now ?? Date.now;
    this.marginMs = options.marginMs ?? 300_000;
    this.failureBackoffMs = options.failureBackoffMs ?? 60_000;
    this.transientBackoff = options.transientBackoff ?? { initialMs: 1_000, maxMs: 30_000 };
    this.random = options.random ?? Math.random;
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
    if (remembered && this.now() < remembered.until) throw new TokenError(this.replay(remembered));
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
      const remembered = this.remember(app.key, read.failure, startedAt);
      throw new TokenError(read.failure.retry ? { ...read.failure, retryAfterMs: remembered.until - startedAt } : read.failure);
    }
    const lifetimeMs = read.expiresInSec * 1000;
    // The margin never eats more than half the lifetime, else a short-lived token would be refetched per message.
    const expiresAt = startedAt + lifetimeMs - Math.min(this.marginMs, lifetimeMs / 2);
    await this.store.set(app.key, { token: read.token, expiresAt });
    this.failures.delete(app.key);
    return read.token;
  }

  /**
   * remember decides how long gettoken rests after a failure: long only when WeCom refused the
   * credentials (retrying cannot help and risks the IP block), short and growing for anything else.
   */
  private remember(key: string, failure: SendFailure, startedAt: number): RememberedFailure {
    const previous = this.failures.get(key);
    let remembered: RememberedFailure;
    if (!failure.retry) {
      remembered = { failure, until: startedAt + this.failureBackoffMs, cause: 'credentials', streak: 1 };
    } else {
      const streak = previous?.cause === 'transient' ? previous.streak + 1 : 1;
      const { initialMs, maxMs } = this.transientBackoff;
      const ceiling = Math.min(maxMs, initialMs * 2 ** (streak - 1));
      // Half fixed, half jitter (as the outbox's backoff): replicas and apps do not retry in step.
      const waitMs = Math.max(failure.retryAfterMs ?? 0, Math.round(ceiling / 2 + this.random() * (ceiling / 2)));
      remembered = { failure, until: startedAt + waitMs, cause: 'transient', streak };
    }
    this.failures.set(key, remembered);
    return remembered;
  }

  /** replay: the remembered failure, saying why gettoken is not tried again yet — and the real cause. */
  private replay({ failure, until, cause }: RememberedFailure): SendFailure {
    const waitMs = until - this.now();
    const seconds = Math.ceil(waitMs / 1000);
    const why =
      cause === 'transient'
        ? `gettoken retried in ${seconds} s: the last call failed transiently (${failure.reason})`
        : CREDENTIAL_ERRCODES.has(failure.errcode ?? 0)
          ? `gettoken paused for ${seconds} s: WeCom rejected the secret or corp_id (errcode ${failure.errcode}); retrying a wrong secret makes WeCom block this IP for an hour`
          : `gettoken paused for ${seconds} s: WeCom refused it permanently (${failure.errcode !== undefined ? `errcode ${failure.errcode}` : failure.reason}); fix the configuration, then reload`;
    const error = `${failure.error} (${why})`;
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
