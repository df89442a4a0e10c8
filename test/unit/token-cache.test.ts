import { appTokenKey, TokenCache, TokenError, type GettokenReply, type TokenFetcher } from '../../src/channels/token-cache';
import { MemoryTokenStore } from '../../src/channels/token-store';

const app = { key: appTokenKey('ww123', 1000002), receiver: 'ops-app' };

/** A fake clock and a scripted gettoken: each call returns the next reply (default: a fresh token). */
function setup(options: { replies?: GettokenReply[]; expiresIn?: number; delayMs?: number } = {}) {
  let now = Date.parse('2025-03-18T04:00:00Z');
  const refreshes: string[] = [];
  let issued = 0;
  const replies = [...(options.replies ?? [])];
  const fetcher = jest.fn<Promise<GettokenReply>, []>(async () => {
    if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    return replies.shift() ?? { ok: true, answer: { errcode: 0, errmsg: 'ok', access_token: `tok-${++issued}`, expires_in: options.expiresIn ?? 7200 } };
  });
  const cache = new TokenCache({ now: () => now, onRefresh: (receiver) => refreshes.push(receiver) });
  return { cache, fetcher: fetcher as jest.Mock<Promise<GettokenReply>, []> & TokenFetcher, refreshes, advance: (ms: number) => (now += ms) };
}

const badSecret: GettokenReply = {
  ok: false,
  failure: { ok: false, retry: false, reason: 'invalid_secret', errcode: 40001, error: 'gettoken errcode 40001: 应用 Secret 错误' },
};

describe('TokenCache', () => {
  it('reuses a token until expires_in minus the 300 s margin, then refreshes once', async () => {
    const { cache, fetcher, refreshes, advance } = setup();
    expect(await cache.get(app, fetcher)).toBe('tok-1');
    advance((7200 - 300) * 1000 - 1);
    expect(await cache.get(app, fetcher)).toBe('tok-1');
    advance(1);
    expect(await cache.get(app, fetcher)).toBe('tok-2');
    expect(fetcher).toHaveBeenCalledTimes(2);
    expect(refreshes).toEqual(['ops-app', 'ops-app']);
  });

  it('reads expires_in from the answer, and a short-lived token loses at most half its life to the margin', async () => {
    const { cache, fetcher, advance } = setup({ expiresIn: 120 });
    await cache.get(app, fetcher);
    advance(59_999);
    expect(await cache.get(app, fetcher)).toBe('tok-1');
    advance(1);
    expect(await cache.get(app, fetcher)).toBe('tok-2');
  });

  it('lets 50 concurrent callers share one gettoken', async () => {
    const { cache, fetcher } = setup({ delayMs: 20 });
    const tokens = await Promise.all(Array.from({ length: 50 }, () => cache.get(app, fetcher)));
    expect(new Set(tokens)).toEqual(new Set(['tok-1']));
    expect(fetcher).toHaveBeenCalledTimes(1);
  });

  it('keeps one token per app key', async () => {
    const { cache, fetcher } = setup();
    const other = { key: appTokenKey('ww123', 1000003), receiver: 'dev-app' };
    expect(await cache.get(app, fetcher)).toBe('tok-1');
    expect(await cache.get(other, fetcher)).toBe('tok-2');
    expect(await cache.get(app, fetcher)).toBe('tok-1');
  });

  it('invalidate drops only the named token, so a late report for an old token keeps the fresh one', async () => {
    const { cache, fetcher } = setup();
    const first = await cache.get(app, fetcher);
    await cache.invalidate(app.key, first);
    const second = await cache.get(app, fetcher);
    expect(second).toBe('tok-2');
    await cache.invalidate(app.key, first); // late 42001 from a sender that still used tok-1
    expect(await cache.get(app, fetcher)).toBe('tok-2');
    expect(fetcher).toHaveBeenCalledTimes(2);
  });

  it('does not hand out a token revoked while its lookup was in flight', async () => {
    const store = new MemoryTokenStore();
    await store.set(app.key, { token: 'old', expiresAt: Number.MAX_SAFE_INTEGER });
    const cache = new TokenCache({ store });
    const fetcher = jest.fn(async (): Promise<GettokenReply> => ({ ok: true, answer: { access_token: 'new', expires_in: 7200 } }));
    const pending = cache.get(app, fetcher); // reads 'old' from the store …
    await cache.invalidate(app.key, 'old'); // … while another sender learns it expired
    expect(await pending).toBe('new');
    expect(fetcher).toHaveBeenCalledTimes(1);
  });

  it('after a 40001 fails fast for 60 s without calling gettoken again, then tries once more', async () => {
    const { cache, fetcher, refreshes, advance } = setup({ replies: [badSecret, badSecret] });
    await expect(cache.get(app, fetcher)).rejects.toMatchObject({ failure: { retry: false, errcode: 40001 } });
    for (let i = 0; i < 20; i++) {
      advance(2_999);
      const error = await cache.get(app, fetcher).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(TokenError);
      expect((error as TokenError).failure).toMatchObject({ retry: false, errcode: 40001 });
      expect((error as TokenError).message).toMatch(/gettoken paused for \d+ s: WeCom rejected the secret or corp_id \(errcode 40001\)/);
    }
    expect(fetcher).toHaveBeenCalledTimes(1);
    advance(20 + 1);
    await expect(cache.get(app, fetcher)).rejects.toBeInstanceOf(TokenError);
    expect(fetcher).toHaveBeenCalledTimes(2);
    expect(refreshes).toHaveLength(2);
  });

  it('after a transient failure pauses gettoken only briefly (jittered, doubling), telling the caller when to come back', async () => {
    const network: GettokenReply = { ok: false, failure: { ok: false, retry: true, reason: 'network', error: 'gettoken network error: ECONNRESET' } };
    let now = 0;
    const replies = [network, network, network];
    const fetcher = jest.fn(async (): Promise<GettokenReply> => replies.shift() ?? { ok: true, answer: { access_token: 'tok-1', expires_in: 7200 } });
    // random 0.5: the pause is 3/4 of the ceiling (1 s, then 2 s, then 4 s).
    const cache = new TokenCache({ now: () => now, random: () => 0.5 });
    await expect(cache.get(app, fetcher)).rejects.toMatchObject({ failure: { retry: true, retryAfterMs: 750 } });
    now += 500;
    const replayed = (await cache.get(app, fetcher).catch((err: unknown) => err)) as TokenError;
    expect(replayed.failure).toMatchObject({ retry: true, retryAfterMs: 250 });
    // The log names the real cause, not wrong secrets.
    expect(replayed.message).toMatch(/gettoken retried in 1 s: the last call failed transiently \(network\)/);
    expect(replayed.message).not.toMatch(/secret/);
    now += 250;
    await expect(cache.get(app, fetcher)).rejects.toMatchObject({ failure: { retryAfterMs: 1_500 } });
    now += 1_500;
    await expect(cache.get(app, fetcher)).rejects.toMatchObject({ failure: { retryAfterMs: 3_000 } });
    now += 3_000;
    expect(await cache.get(app, fetcher)).toBe('tok-1');
    expect(fetcher).toHaveBeenCalledTimes(4);
  });

  it('caps the transient pause, and keeps at least the minute WeCom asks for after a 45009', async () => {
    let now = 0;
    const network: GettokenReply = { ok: false, failure: { ok: false, retry: true, reason: 'network', error: 'timeout' } };
    const cache = new TokenCache({ now: () => now, random: () => 1 - Number.EPSILON, transientBackoff: { initialMs: 1_000, maxMs: 4_000 } });
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      const error = (await cache.get(app, async () => network).catch((err: unknown) => err)) as TokenError;
      waits.push(error.failure.retryAfterMs!);
      now += error.failure.retryAfterMs!;
    }
    expect(waits).toEqual([1_000, 2_000, 4_000, 4_000, 4_000, 4_000]);
    const limited: GettokenReply = { ok: false, failure: { ok: false, retry: true, reason: 'rate_limited', errcode: 45009, retryAfterMs: 60_000, error: 'gettoken errcode 45009' } };
    await expect(cache.get(app, async () => limited)).rejects.toMatchObject({ failure: { retryAfterMs: 60_000 } });
  });

  it('says why after a permanent refusal that is not about the secret (60020 untrusted IP)', async () => {
    const untrusted: GettokenReply = { ok: false, failure: { ok: false, retry: false, reason: 'untrusted_ip', errcode: 60020, error: 'gettoken errcode 60020' } };
    const { cache, fetcher, advance } = setup({ replies: [untrusted] });
    await expect(cache.get(app, fetcher)).rejects.toBeInstanceOf(TokenError);
    advance(1_000);
    const error = (await cache.get(app, fetcher).catch((err: unknown) => err)) as TokenError;
    expect(error.message).toMatch(/gettoken paused for 59 s: WeCom refused it permanently \(errcode 60020\)/);
    expect(fetcher).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['expire_in instead of expires_in (the Grafana bug)', { errcode: 0, access_token: 'secret-token-1', expire_in: 7200 }, 'expires_in'],
    ['no access_token', { errcode: 0, expires_in: 7200 }, 'access_token'],
    ['expires_in as a string', { errcode: 0, access_token: 'secret-token-1', expires_in: '7200' }, 'expires_in'],
  ])('rejects an answer with %s, without quoting the token', async (_name, answer, field) => {
    const { cache, fetcher } = setup({ replies: [{ ok: true, answer }] });
    const error = (await cache.get(app, fetcher).catch((err: unknown) => err)) as TokenError;
    expect(error.failure).toMatchObject({ retry: true, reason: 'bad_token_answer' });
    expect(error.message).toContain(field);
    expect(error.message).not.toContain('secret-token-1');
  });

  it('turns a throwing fetcher into a retryable failure', async () => {
    const cache = new TokenCache();
    const error = (await cache.get(app, async () => Promise.reject(new Error('boom'))).catch((err: unknown) => err)) as TokenError;
    expect(error.failure).toMatchObject({ retry: true, reason: 'gettoken_error' });
  });

  it('uses a token another replica stored even while its own gettoken is backing off', async () => {
    const store = new MemoryTokenStore();
    const cache = new TokenCache({ store });
    const failing = async (): Promise<GettokenReply> => ({ ok: false, failure: { ok: false, retry: true, reason: 'network', error: 'timeout' } });
    await expect(cache.get(app, failing)).rejects.toBeInstanceOf(TokenError);
    await store.set(app.key, { token: 'shared', expiresAt: Date.now() + 60_000 });
    expect(await cache.get(app, failing)).toBe('shared');
  });
});

describe('MemoryTokenStore', () => {
  it('deletes only when the entry still holds the given token', async () => {
    const store = new MemoryTokenStore();
    await store.set('k', { token: 'b', expiresAt: 1 });
    await store.delete('k', 'a');
    expect(await store.get('k')).toEqual({ token: 'b', expiresAt: 1 });
    await store.delete('k', 'b');
    expect(await store.get('k')).toBeUndefined();
  });
});
