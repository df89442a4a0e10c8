import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { boundPageCache } from './page-cache';

/**
 * Opening a SQLite file of the storage directory without losing data silently.
 *
 * SQLite treats a 0-byte file as a new, empty database — and deletes a WAL found next to it, which
 * may hold the only copy of the queue. So before SQLite touches the files: an empty main file (or a
 * WAL without its main file) is a damaged outbox. The service moves the files aside (kept for
 * recovery, never deleted), starts on a fresh file and reports it loudly (error log with the path,
 * `wecom_adapter_storage_problems_total`, a `/readyz` detail): refusing to start would turn a lost
 * queue into lost alerting, and the empty file has nothing left to protect. A malformed file
 * (`database disk image is malformed`, `file is not a database`) may still hold queued alerts, so
 * it is never replaced: DamagedStorageError names the file and what the operator can do.
 */

/** A damage found (and dealt with) when a storage file was opened. */
export interface StorageProblem {
  /** Which file: `outbox` or `history`. */
  file: string;
  /** `empty` (0-byte main file), `wal_without_database`, or `malformed` (moved aside: history only). */
  problem: 'empty' | 'wal_without_database' | 'malformed';
  path: string;
  /** Where the damaged files were moved. */
  movedTo: string;
  /** One sentence for the log and /readyz. */
  message: string;
}

/** DamagedStorageError: the file cannot be used and is left in place for the operator. */
export class DamagedStorageError extends Error {
  constructor(
    readonly path: string,
    cause: string,
    advice: string,
  ) {
    super(`${path} is damaged (${cause}); ${advice}`);
    this.name = 'DamagedStorageError';
  }
}

export interface OpenOptions {
  /** Which file this is, for messages and metrics (`outbox`, `history`). */
  label: string;
  /** readonly: inspect a file (e.g. a moved-aside outbox); never moves or writes it (SQLite may add empty -wal/-shm side files). */
  readonly?: boolean;
  /** What to do with an empty file (or a WAL without its file): move it aside (the lock holder) or refuse (commands). */
  onEmpty: 'refuse' | 'move-aside';
  /** What to do when the file is malformed: refuse (outbox) or move it aside and start fresh (history). */
  onMalformed: 'refuse' | 'move-aside';
  /** What the operator can do with a malformed file (refuse mode). */
  advice?: (path: string) => string;
  now?: Date;
}

const SIDE_FILES = ['', '-wal', '-shm'];

function size(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
}

/** isDamageError: SQLite's codes for a file that is not (or no longer) a database. */
export function isDamageError(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT_INDEX' || code === 'SQLITE_CORRUPT_VTAB';
}

/** moveAside renames the file and its WAL/SHM to `<file>.damaged-<time>`; returns the new main path. */
function moveAside(path: string, now: Date): string {
  const target = `${path}.damaged-${now.toISOString().replace(/[:.]/g, '-')}`;
  for (const suffix of SIDE_FILES) if (existsSync(path + suffix)) renameSync(path + suffix, target + suffix);
  return target;
}

/**
 * openSqlite opens `path` (creating it unless readonly) after the checks above. `setup` runs on the
 * fresh connection (pragmas, schema) and `quick_check` then reads every page once, so a corrupt page
 * is found at start, not by the first webhook. Returns the connection and the problems dealt with.
 */
export function openSqlite(path: string, options: OpenOptions, setup: (db: Database.Database) => void = () => undefined): { db: Database.Database; problems: StorageProblem[] } {
  const now = options.now ?? new Date();
  const problems: StorageProblem[] = [];
  if (options.readonly) {
    if (size(path) === 0) throw new DamagedStorageError(path, 'the file is empty (0 bytes)', 'there is nothing to read in it');
    const db = new Database(path, { readonly: true, fileMustExist: true });
    boundPageCache(db);
    return { db, problems };
  }
  mkdirSync(dirname(path), { recursive: true });
  const mainSize = size(path);
  const walSize = size(`${path}-wal`) ?? 0;
  if (mainSize === 0 || (mainSize === undefined && walSize > 0)) {
    const problem = mainSize === 0 ? 'empty' : 'wal_without_database';
    const what = mainSize === 0 ? `${basename(path)} was empty (0 bytes)${walSize > 0 ? `; its WAL (${walSize} bytes) may still hold data` : ''}` : `${basename(path)} was missing but its WAL (${walSize} bytes) was there`;
    if (options.onEmpty === 'refuse') throw new DamagedStorageError(path, what, 'the service moves such files aside when it starts; nothing was changed');
    const movedTo = moveAside(path, now);
    problems.push({ file: options.label, problem, path, movedTo, message: `${options.label} file ${path} was damaged: ${what}; moved aside to ${movedTo}* and started with a new empty file` });
  }
  const open = (): Database.Database => {
    const db = new Database(path);
    try {
      boundPageCache(db);
      setup(db);
      const result = db.pragma('quick_check', { simple: true });
      if (result !== 'ok') throw Object.assign(new Error(`database disk image is malformed: quick_check found ${String(result).replace(/\s+/g, ' ').trim()}`), { code: 'SQLITE_CORRUPT' });
      return db;
    } catch (err) {
      db.close();
      throw err;
    }
  };
  try {
    return { db: open(), problems };
  } catch (err) {
    if (!isDamageError(err)) throw err;
    const cause = (err as Error).message;
    if (options.onMalformed === 'refuse') throw new DamagedStorageError(path, cause, options.advice?.(path) ?? 'move it aside and start again');
    const movedTo = moveAside(path, now);
    problems.push({ file: options.label, problem: 'malformed', path, movedTo, message: `${options.label} file ${path} was damaged (${cause}); moved aside to ${movedTo}* and started with a new empty file` });
    return { db: open(), problems };
  }
}

/** outboxAdvice: what to do with a malformed outbox (the refusal message of `serve`). */
export function outboxAdvice(path: string): string {
  const dir = dirname(path);
  const aside = join(dir, `${basename(path)}.damaged`);
  return (
    'the service will not start on it, so the notifications still queued in it are not overwritten. ' +
    `To start again, move it aside with its WAL (mv ${path} ${aside}; mv ${path}-wal ${aside}-wal if present), then start the service (it creates a new outbox). ` +
    `To see what the moved file still holds: wecom-alert-adapter dead-letters --config FILE --outbox ${aside} (read-only; lists dead letters and counts queued notifications).`
  );
}
