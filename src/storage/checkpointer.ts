import { stat } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { PAGE_CACHE_KIB } from './page-cache';

/**
 * Checkpointer copies SQLite WAL files back into their databases on a worker thread.
 *
 * A checkpoint fsyncs the WAL and then the database file; SQLite's automatic checkpoint runs inside
 * whichever commit crosses the threshold, i.e. on the event loop, where a slow disk would stall every
 * request for two fsyncs. The service's connections therefore turn `wal_autocheckpoint` off, and this
 * class looks at the WAL sizes (an async stat, off the event loop) and has a worker thread, with its
 * own connection to each file, run `PRAGMA wal_checkpoint(PASSIVE)` when a WAL past `walBytes` needs
 * one. PASSIVE never blocks the writer; the writer restarts the WAL from its beginning once it is
 * fully copied, so it is reused in place (`journal_size_limit` gives back only a spike) and its size
 * says nothing about how much is new. What does: the file grows again only once the frames written
 * since the restart fill it (or when it could not restart), and a file cut at the restart holds only
 * new frames, so a WAL whose size changed since its last checkpoint is checkpointed at once; one that
 * was only written in place waits until `maxDelayMs` after its last checkpoint. Checkpointing every written WAL at every look (every 250 ms) cost a
 * database fsync 4 times a second at low load, each contending with the enqueue's WAL sync on the
 * same disk (issue 18: the latency tail). Checkpoints run with
 * `synchronous=NORMAL`, which syncs the WAL before copying and the database after: a restarted WAL
 * never overwrites frames whose pages are not yet on disk.
 *
 * The thread (a V8 isolate, ≈ 10 MB) exists only while there is checkpointing to do: it starts when
 * a WAL first needs one and ends after `idleMs` without work, so an idle service does not carry it.
 */
export interface CheckpointerOptions {
  /** A WAL larger than this is checkpointed (default 4 MiB, SQLite's own 1000-page threshold). */
  walBytes?: number;
  /** How often the WAL sizes are looked at (default 250 ms). */
  intervalMs?: number;
  /** A WAL written in place (not grown) since its last checkpoint waits this long for the next one (default 10 s). */
  maxDelayMs?: number;
  /** The thread ends after this long without a checkpoint to run (default 1 s: it costs ≈ 10 MB, a start ≈ 20 ms). */
  idleMs?: number;
  /** Called with a checkpoint's error (logged by the service; the next round tries again). */
  onError?: (path: string, error: string) => void;
}

/**
 * The worker's code. Kept as a string so it runs the same from the TypeScript sources (tests) and
 * from dist/; it loads better-sqlite3 from the path the main thread resolved.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const files = new Map();
parentPort.on('message', ({ type, path }) => {
  if (type === 'close') {
    for (const db of files.values()) db.close();
    process.exit(0);
  }
  let error;
  try {
    let db = files.get(path);
    if (!db) {
      db = new Database(path, { fileMustExist: true });
      db.pragma('busy_timeout = 1000');
      db.pragma('synchronous = NORMAL');
      db.pragma('cache_size = -${PAGE_CACHE_KIB}');
      files.set(path, db);
    }
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) { error = String((err && err.message) || err); }
  parentPort.postMessage({ path, error });
});
`;

export class Checkpointer {
  private readonly paths = new Set<string>();
  private readonly walBytes: number;
  private readonly idleMs: number;
  private readonly timer: NodeJS.Timeout;
  private worker?: Worker;
  private lastWork = 0;
  /** Checkpoints asked of the thread and not answered yet, by database path. */
  private readonly running = new Map<string, () => void>();
  private looking = false;
  /** Each WAL's size, modification time and the clock when its last checkpoint was asked. */
  private readonly lastCheckpoint = new Map<string, { size: number; mtimeMs: number; at: number }>();
  private readonly maxDelayMs: number;
  private closed = false;

  constructor(private readonly options: CheckpointerOptions = {}) {
    this.walBytes = options.walBytes ?? 4 * 1024 * 1024;
    this.idleMs = options.idleMs ?? 1_000;
    this.maxDelayMs = options.maxDelayMs ?? 10_000;
    this.timer = setInterval(() => void this.look(), options.intervalMs ?? 250);
    this.timer.unref();
  }

  /** watch adds a WAL-mode database (its connection has `wal_autocheckpoint = 0`). */
  watch(path: string): void {
    this.paths.add(path);
  }

  private asked = 0;

  /** How many checkpoints were asked of the thread so far (tests). */
  get checkpointsAsked(): number {
    return this.asked;
  }

  /** threadRunning: whether the worker thread exists now (tests, memory accounting). */
  get threadRunning(): boolean {
    return this.worker !== undefined;
  }

  /** checkpoint runs one checkpoint of `path` on the thread now, whatever its WAL size. */
  checkpoint(path: string): Promise<void> {
    if (this.closed) return Promise.resolve();
    const pending = this.running.get(path);
    if (pending) return new Promise((resolve) => this.running.set(path, () => (pending(), resolve())));
    return new Promise((resolve) => {
      this.running.set(path, resolve);
      this.asked += 1;
      this.lastWork = Date.now();
      this.thread().postMessage({ type: 'checkpoint', path });
    });
  }

  /** close ends the thread (before the service closes its own connections, whose last close checkpoints). */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.stopThread();
  }

  /** look: checkpoint every WAL over the threshold; end an idle thread. */
  private async look(): Promise<void> {
    if (this.looking || this.closed) return;
    this.looking = true;
    try {
      for (const path of this.paths) {
        if (this.running.has(path)) continue;
        const wal = await stat(`${path}-wal`).catch(() => undefined);
        if (!wal || wal.size < this.walBytes || this.closed) continue;
        const now = Date.now();
        if (!needsCheckpoint(this.lastCheckpoint.get(path), wal, now, this.maxDelayMs)) continue;
        this.lastCheckpoint.set(path, { size: wal.size, mtimeMs: wal.mtimeMs, at: now });
        void this.checkpoint(path);
      }
      if (this.worker && this.running.size === 0 && Date.now() - this.lastWork >= this.idleMs) await this.stopThread();
    } finally {
      this.looking = false;
    }
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { sqlite: require.resolve('better-sqlite3') } });
    worker.on('message', ({ path, error }: { path: string; error?: string }) => {
      if (error) this.options.onError?.(path, error);
      this.finish(path);
    });
    worker.on('error', (err) => this.options.onError?.('(checkpoint thread)', String(err)));
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = undefined;
      for (const path of [...this.running.keys()]) this.finish(path);
    });
    // The thread must not keep a stopping process alive; close() ends it properly.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private finish(path: string): void {
    const resolve = this.running.get(path);
    this.running.delete(path);
    resolve?.();
  }

  private async stopThread(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    await new Promise<void>((resolve) => {
      worker.once('exit', () => resolve());
      worker.postMessage({ type: 'close' });
    });
  }
}

/**
 * needsCheckpoint: a WAL past the threshold is checkpointed when it never was; when its size changed
 * since its last checkpoint — it grew (the frames written since the restart filled the file, or it
 * could not restart) or a restart cut it to `journal_size_limit` and new frames refilled it past the
 * threshold (everything in a cut file is new); or when it was written in place and `maxDelayMs` passed.
 */
function needsCheckpoint(last: { size: number; mtimeMs: number; at: number } | undefined, wal: { size: number; mtimeMs: number }, now: number, maxDelayMs: number): boolean {
  if (!last) return true;
  if (wal.size !== last.size) return true;
  return wal.mtimeMs !== last.mtimeMs && now - last.at >= maxDelayMs;
}

/**
 * leaveCheckpointsToThread sets up a service connection whose file the Checkpointer watches:
 * no automatic checkpoint, and `synchronous=OFF`, so no commit ever syncs on the event loop — with
 * NORMAL, the first commit after each WAL restart would still fsync the WAL header here. Nothing is
 * lost by it: acknowledged writes are synced by WalSync after their commit, checkpoints run with
 * NORMAL on the thread (WAL synced before copying, database synced before the WAL may restart, so a
 * restart never overwrites frames that are not yet in the synced database), and frames written after
 * a restart but not yet synced belong to writes nobody was told were durable.
 */
export function leaveCheckpointsToThread(db: Database.Database): void {
  db.pragma('synchronous = OFF');
  db.pragma('wal_autocheckpoint = 0');
}

/**
 * closeConnection closes a connection set up by leaveCheckpointsToThread: the last connection to
 * close checkpoints the WAL into the database and deletes it, and that checkpoint must sync.
 */
export function closeConnection(db: Database.Database): void {
  if (!db.open) return;
  db.pragma('synchronous = NORMAL');
  db.close();
}
