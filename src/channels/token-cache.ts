/**
 * Placeholder contract for the app access-token cache (issue 4 implements it fully):
 * cached per app (corp_id + agent_id) honouring expires_in minus a margin, one refresh in flight.
 */
export interface TokenCache {
  /** get returns a valid token for the app, fetching one if needed. */
  get(appKey: string, fetcher: () => Promise<{ token: string; expiresInSec: number }>): Promise<string>;
  /** invalidate drops a token WeCom reported invalid (40014/41001/42001). */
  invalidate(appKey: string, token: string): void;
}
