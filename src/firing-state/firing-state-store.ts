import type { SourceName } from '../model/alert';

/**
 * The firing state: which alert identities (source + fingerprint) are currently firing, for the
 * senders that cannot know it themselves (Elasticsearch Watcher's two-action pattern sends
 * "resolved" on every healthy run, see resolution-rule.ts). Durable — it lives in the outbox's
 * SQLite file or, with `storage.redis`, in Redis — so it survives restarts and is shared by
 * replicas. Async like the outbox store, so a networked implementation fits.
 */
export interface FiringKey {
  source: SourceName;
  fingerprint: string;
}

/**
 * How long a firing record lives without being refreshed. Every firing message refreshes it; a
 * watch deleted (or its resolve action removed) while firing would otherwise keep its record
 * forever. 30 days outlasts any sensible `throttle_period`.
 */
export const FIRING_STATE_TTL_MS = 30 * 86_400_000;

export interface FiringStateStore {
  /** markFiring records (or refreshes) these identities as firing until `now + FIRING_STATE_TTL_MS`. */
  markFiring(keys: FiringKey[], now: number): Promise<void>;
  /**
   * claimResolution atomically forgets one identity and answers whether it was firing: true for
   * exactly one caller per firing episode, even with several replicas, so the resolution is
   * delivered once and every later one is suppressed.
   */
  claimResolution(key: FiringKey, now: number): Promise<boolean>;
  /** isFiring reports whether the identity is recorded as firing (no change). */
  isFiring(key: FiringKey, now: number): Promise<boolean>;
}
