import type Database from 'better-sqlite3';
import { FIRING_STATE_TTL_MS, type FiringKey, type FiringStateStore } from './firing-state-store';

/**
 * SqliteFiringStateStore keeps the firing state in a table of the outbox's SQLite file, on the
 * outbox's own connection: it shares its durability (a firing mark waits for `durable`, the outbox's
 * WAL sync, so a mark acknowledged with the webhook survives a crash or power loss), its
 * single-owner lock and its close. Statements run synchronously, so they never interleave with the
 * outbox's group-commit transactions.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS firing_state (
  source TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  since INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (source, fingerprint)
);
CREATE INDEX IF NOT EXISTS firing_state_expires ON firing_state (expires_at);
`;

/** Expired rows are pruned on every PRUNE_EVERY-th mark (they are already ignored when read). */
const PRUNE_EVERY = 100;

export class SqliteFiringStateStore implements FiringStateStore {
  private readonly statements;
  private marksSincePrune = 0;

  /** durable: resolves once the connection's commits are on disk (the outbox's WAL sync); none in tests of the table alone. */
  constructor(
    private readonly db: Database.Database,
    private readonly durable: () => Promise<void> = async () => undefined,
  ) {
    db.exec(SCHEMA);
    this.statements = {
      mark: db.prepare(
        `INSERT INTO firing_state (source, fingerprint, since, expires_at) VALUES (@source, @fingerprint, @now, @expiresAt)
         ON CONFLICT (source, fingerprint) DO UPDATE SET
           since = CASE WHEN firing_state.expires_at > @now THEN firing_state.since ELSE @now END,
           expires_at = @expiresAt`,
      ),
      claim: db.prepare('DELETE FROM firing_state WHERE source = ? AND fingerprint = ? AND expires_at > ?'),
      get: db.prepare<[string, string, number], { since: number }>('SELECT since FROM firing_state WHERE source = ? AND fingerprint = ? AND expires_at > ?'),
      prune: db.prepare('DELETE FROM firing_state WHERE expires_at <= ?'),
    };
  }

  async markFiring(keys: FiringKey[], now: number): Promise<void> {
    if (keys.length === 0) return;
    const { mark, prune } = this.statements;
    this.db.transaction(() => {
      for (const key of keys) mark.run({ ...key, now, expiresAt: now + FIRING_STATE_TTL_MS });
      if ((this.marksSincePrune += keys.length) >= PRUNE_EVERY) {
        this.marksSincePrune = 0;
        prune.run(now);
      }
    })();
    await this.durable();
  }

  async claimResolution(key: FiringKey, now: number): Promise<boolean> {
    // Not waited for on disk here: a claimed resolution is enqueued next (or the claim is undone),
    // and that enqueue's sync covers this earlier commit on the same connection. Waiting per claim
    // would cost one fsync per resolution of the webhook, one after the other.
    return this.statements.claim.run(key.source, key.fingerprint, now).changes > 0;
  }

  async isFiring(key: FiringKey, now: number): Promise<boolean> {
    return this.statements.get.get(key.source, key.fingerprint, now) !== undefined;
  }
}
