import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { WalSync } from '../../src/storage/wal-sync';
import { Checkpointer, leaveCheckpointsToThread } from '../../src/storage/checkpointer';
import { waitUntil } from '../support/service-process';

/**
 * WalSync (durability off the event loop) and Checkpointer (checkpoints on a worker thread), on real
 * SQLite files. That a slow fsync no longer stalls requests is shown end to end in
 * test/integration/slow-disk.test.ts.
 */
describe('WalSync', () => {
  let dir: string;
  let db: Database.Database;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wal-sync-'));
    db = new Database(join(dir, 'x.sqlite'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec('CREATE TABLE t (v TEXT)');
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('resolves once the WAL is synced; callers during a running sync share one follow-up sync (group commit)', async () => {
    const sync = new WalSync(join(dir, 'x.sqlite-wal'));
    db.prepare('INSERT INTO t VALUES (?)').run('a');
    const first = sync.sync();
    // Committed while the first sync runs: they must wait for a sync that starts after them, one for all.
    const during = Array.from({ length: 10 }, () => {
      db.prepare('INSERT INTO t VALUES (?)').run('b');
      return sync.sync();
    });
    expect(new Set(during).size).toBe(1);
    expect(during[0]).not.toBe(first);
    await Promise.all([first, ...during]);
    // Nothing running now: the next caller starts a new sync at once.
    const later = sync.sync();
    expect(later).not.toBe(during[0]);
    await later;
    await sync.close();
  });

  it('rejects with the OS error when the WAL cannot be opened, and after close', async () => {
    const missing = new WalSync(join(dir, 'nothing-here-wal'));
    await expect(missing.sync()).rejects.toMatchObject({ code: 'ENOENT' });
    const sync = new WalSync(join(dir, 'x.sqlite-wal'));
    await sync.sync();
    await sync.close();
    await expect(sync.sync()).rejects.toThrow(/closed/);
  });
});

/** insertRows writes `count` rows of 4,000 bytes in one transaction (≈ one WAL page each). */
function insertRows(db: Database.Database, count: number): void {
  const insert = db.prepare('INSERT INTO t VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < count; i++) insert.run('x'.repeat(4000));
  })();
}

/** serviceConnection: a WAL database with one table, set up like the service's (checkpoints left to the thread). */
function serviceConnection(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  leaveCheckpointsToThread(db);
  db.exec('CREATE TABLE t (v TEXT)');
  return db;
}

describe('Checkpointer', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'checkpointer-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('checkpoints a WAL that grew past the threshold on its thread (the writer then restarts it), and ends the idle thread', async () => {
    const path = join(dir, 'x.sqlite');
    const db = serviceConnection(path);
    db.pragma(`journal_size_limit = ${64 * 1024}`);
    const errors: string[] = [];
    const checkpointer = new Checkpointer({ walBytes: 256 * 1024, intervalMs: 20, idleMs: 200, onError: (_path, error) => errors.push(error) });
    checkpointer.watch(path);
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    const blob = 'x'.repeat(4000);
    db.transaction(() => {
      for (let i = 0; i < 200; i++) insert.run(blob);
    })();
    const grown = statSync(`${path}-wal`).size;
    expect(grown).toBeGreaterThan(256 * 1024);
    expect(checkpointer.threadRunning).toBe(false); // not started until needed
    await waitUntil(() => checkpointer.threadRunning, 5_000, 'the checkpoint thread');
    // Once the pages are copied, the next commit starts the WAL over and journal_size_limit shrinks it.
    await waitUntil(
      () => {
        insert.run('y');
        return statSync(`${path}-wal`).size < grown / 2;
      },
      5_000,
      'the WAL restarted after the checkpoint',
    );
    expect((db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n).toBeGreaterThan(200);
    await waitUntil(() => !checkpointer.threadRunning, 5_000, 'the idle thread to end');
    await checkpointer.close();
    db.close();
    expect(errors).toEqual([]);
  });

  it('checkpoints a WAL again at once when it grew, but one written in place only after maxDelayMs', async () => {
    const path = join(dir, 'z.sqlite');
    const db = serviceConnection(path);
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    const checkpointer = new Checkpointer({ walBytes: 256 * 1024, intervalMs: 20, idleMs: 60_000, maxDelayMs: 60_000 });
    checkpointer.watch(path);
    try {
      insertRows(db, 100); // ≈ 800 KB of frames
      await waitUntil(() => checkpointer.checkpointsAsked === 1, 5_000, 'the first checkpoint');
      await checkpointer.checkpoint(path); // waits for that one (one at a time per file: it asks no other)
      const size = statSync(`${path}-wal`).size;
      // Small writes after the checkpoint restart the WAL and overwrite it in place: no new checkpoint.
      for (let i = 0; i < 15; i++) {
        insert.run('y');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(statSync(`${path}-wal`).size).toBe(size);
      expect(checkpointer.checkpointsAsked).toBe(1);
      // More frames than the file holds: it grows, and is checkpointed at the next look.
      insertRows(db, 300);
      expect(statSync(`${path}-wal`).size).toBeGreaterThan(size);
      await waitUntil(() => checkpointer.checkpointsAsked === 2, 5_000, 'the checkpoint of the grown WAL');
    } finally {
      await checkpointer.close();
    }
    // With a short maxDelayMs, a WAL written in place is checkpointed once that delay has passed
    // (counted from when its last checkpoint was asked), not before.
    const soon = new Checkpointer({ walBytes: 256 * 1024, intervalMs: 20, idleMs: 60_000, maxDelayMs: 1_000 });
    soon.watch(path);
    try {
      const started = Date.now();
      await waitUntil(() => soon.checkpointsAsked === 1, 5_000, 'the first look'); // never checkpointed by this one
      await soon.checkpoint(path); // waits for that one
      insert.run('z');
      await waitUntil(() => soon.checkpointsAsked === 2, 5_000, 'the delayed checkpoint');
      // `started` is no later than the first ask, so an early second checkpoint shows here.
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    } finally {
      await soon.close();
      db.close();
    }
  });

  it('after journal_size_limit truncated the WAL, counts its growth from the truncated size', async () => {
    const path = join(dir, 't.sqlite');
    const db = serviceConnection(path);
    db.pragma(`journal_size_limit = ${256 * 1024}`);
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    const checkpointer = new Checkpointer({ walBytes: 128 * 1024, intervalMs: 20, idleMs: 60_000, maxDelayMs: 60_000 });
    checkpointer.watch(path);
    try {
      insertRows(db, 200); // ≈ 1.6 MB of frames
      await waitUntil(() => checkpointer.checkpointsAsked === 1, 5_000, 'the first checkpoint');
      await checkpointer.checkpoint(path);
      insert.run('y'); // restarts the WAL, which journal_size_limit cuts to 256 KiB
      const truncated = statSync(`${path}-wal`).size;
      expect(truncated).toBeLessThanOrEqual(256 * 1024);
      insertRows(db, 100); // ≈ 800 KB: past the truncated size, well short of the size at the first checkpoint
      await waitUntil(() => checkpointer.checkpointsAsked === 2, 5_000, 'the checkpoint of the regrown WAL');
    } finally {
      await checkpointer.close();
      db.close();
    }
  });

  it('checkpoint() runs one at once whatever the WAL size; close() ends the thread', async () => {
    const path = join(dir, 'y.sqlite');
    const db = serviceConnection(path);
    db.prepare('INSERT INTO t VALUES (?)').run('a');
    const checkpointer = new Checkpointer({ intervalMs: 10_000 });
    checkpointer.watch(path);
    await checkpointer.checkpoint(path);
    expect(checkpointer.threadRunning).toBe(true);
    // The row is in the database file itself now: a copy of the file without its WAL has it.
    copyFileSync(path, join(dir, 'copy.sqlite'));
    const copy = new Database(join(dir, 'copy.sqlite'), { readonly: true });
    expect(copy.prepare('SELECT v FROM t').all()).toEqual([{ v: 'a' }]);
    copy.close();
    await checkpointer.close();
    expect(checkpointer.threadRunning).toBe(false);
    db.close();
  });
});
