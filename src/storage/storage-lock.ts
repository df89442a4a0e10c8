import { hostname } from 'node:os';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/**
 * StorageLock: one service process per storage directory (two processes on one outbox deliver
 * everything twice and starve each other with "database is locked").
 *
 * The lock is a kernel lock, not a pid file: `storage.path/LOCK` is an (empty) SQLite file on which
 * the holder keeps a write transaction open (`BEGIN IMMEDIATE`, SQLite's POSIX fcntl lock) for its
 * whole life. The kernel drops the lock when the process dies in any way (kill -9, OOM), so a crash
 * never leaves a stale lock behind, and pid reuse (every container's pid 1) cannot fool it — the
 * two problems a pid file with a liveness check has. Node has no flock; npm's proper-lockfile uses
 * mkdir plus mtime refreshes and declares a crashed holder stale only after a delay, so a restart
 * after kill -9 would have to wait. SQLite (already a dependency) gives the fcntl lock directly.
 * The lock also holds between two connections in one process (SQLite tracks them per inode).
 *
 * Who holds it is written next to it, in `LOCK.owner` (pid, host, start time), only to name the
 * holder in the refusal message. The outbox files themselves are not locked this way: the
 * `dead-letters` and `digest` commands still read and requeue while the service runs.
 */
export const LOCK_FILE = 'LOCK';
const OWNER_FILE = 'LOCK.owner';

/** StorageLockedError: another process holds the directory; the message names it and the holder. */
export class StorageLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly holder: LockOwner | undefined,
  ) {
    const who = holder ? `pid ${holder.pid} on host ${holder.host}, running since ${holder.since}` : 'a process that did not record its pid';
    super(
      `storage directory ${dir} is in use by another wecom-alert-adapter process (${who}). ` +
        'Only one process may use a storage directory (two would deliver every alert twice). ' +
        'Stop that process, or give this one its own storage.path; several replicas share work through storage.redis instead.',
    );
    this.name = 'StorageLockedError';
  }
}

/** Who holds the lock (LOCK.owner). */
export interface LockOwner {
  pid: number;
  host: string;
  since: string;
}

export class StorageLock {
  private constructor(
    readonly dir: string,
    private readonly db: Database.Database,
    private readonly inode: { dev: number; ino: number },
  ) {}

  /** acquire takes the lock on `dir` (created if missing) or throws StorageLockedError at once. */
  static acquire(dir: string, now: Date = new Date()): StorageLock {
    mkdirSync(dir, { recursive: true });
    const path = join(dir, LOCK_FILE);
    // timeout 0: a second process must be told at once, not after better-sqlite3's 5 s busy wait.
    const db = new Database(path, { timeout: 0 });
    try {
      db.exec('BEGIN IMMEDIATE');
    } catch (err) {
      db.close();
      if ((err as { code?: string }).code === 'SQLITE_BUSY') throw new StorageLockedError(dir, readOwner(dir));
      throw err;
    }
    const owner: LockOwner = { pid: process.pid, host: hostname(), since: now.toISOString() };
    writeFileSync(join(dir, OWNER_FILE), `${JSON.stringify(owner)}\n`);
    const { dev, ino } = statSync(path);
    return new StorageLock(dir, db, { dev, ino });
  }

  /**
   * problem: undefined while the lock is still ours, else why not (readiness). The lock is lost when
   * LOCK was deleted or replaced (e.g. the directory was wiped): a new process would then lock a new
   * file and both would run.
   */
  problem(): string | undefined {
    if (!this.db.open) return 'storage lock released';
    try {
      const { dev, ino } = statSync(join(this.dir, LOCK_FILE));
      if (dev !== this.inode.dev || ino !== this.inode.ino) return `storage lock lost: ${join(this.dir, LOCK_FILE)} was replaced`;
    } catch {
      return `storage lock lost: ${join(this.dir, LOCK_FILE)} was removed`;
    }
    return undefined;
  }

  /** release ends the lock (shutdown). LOCK itself stays: deleting it could split a later lock in two. */
  release(): void {
    if (!this.db.open) return;
    try {
      this.db.exec('ROLLBACK');
    } finally {
      this.db.close();
    }
  }
}

function readOwner(dir: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8')) as Partial<LockOwner>;
    return typeof owner.pid === 'number' ? { pid: owner.pid, host: String(owner.host ?? '?'), since: String(owner.since ?? '?') } : undefined;
  } catch {
    return undefined;
  }
}
