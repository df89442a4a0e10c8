import { close, fdatasync, open } from 'node:fs';

/**
 * WalSync makes committed SQLite transactions durable without stopping the event loop.
 *
 * better-sqlite3 is synchronous: with `synchronous=FULL` every commit waits for its fsync on the only
 * thread, so a slow disk (a busy volume, a network block device: 10–50 ms per fsync) stalls every
 * request, health check and send for that long. Instead the connection commits with
 * `synchronous=NORMAL` — in WAL mode that writes the transaction's frames to the OS and syncs only
 * at checkpoints — and WalSync then `fdatasync`s the WAL file on libuv's thread pool. Once that sync
 * completes, every transaction committed before it started is on disk: the same guarantee FULL
 * gives (FULL is exactly "sync the WAL at each commit"), while the event loop keeps serving.
 *
 * Group commit falls out of it: `sync()` calls that arrive while a sync is running share the next
 * one (it must start after their commits), so a disk that takes 50 ms per fsync acknowledges every
 * webhook of those 50 ms with one more fsync, not one each.
 */
export class WalSync {
  private fd?: number;
  /** The sync on the disk now (covers commits made before it started). */
  private running?: Promise<void>;
  /** The follow-up sync that commits made while `running` was on the disk wait for. */
  private next?: Promise<void>;
  private closed = false;

  /** walPath: the database's WAL file (`<file>-wal`); it exists once the first transaction committed. */
  constructor(private readonly walPath: string) {}

  /** sync resolves once everything committed before the call is on disk; rejects with the OS error. */
  sync(): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`${this.walPath}: the database is closed`));
    if (!this.running) return (this.running = this.syncNow().finally(() => (this.running = undefined)));
    if (!this.next) {
      this.next = this.running
        .catch(() => undefined)
        .then(() => {
          this.next = undefined;
          return this.sync();
        });
    }
    return this.next;
  }

  /** close waits for the syncs under way, then closes the file (the database connection closes after). */
  async close(): Promise<void> {
    await Promise.allSettled([this.running, this.next]);
    this.closed = true;
    const fd = this.fd;
    this.fd = undefined;
    if (fd !== undefined) await new Promise<void>((resolve) => close(fd, () => resolve()));
  }

  private async syncNow(): Promise<void> {
    const fd = this.fd ?? (this.fd = await openFile(this.walPath));
    await new Promise<void>((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())));
  }
}

/** openFile opens the WAL for syncing ('r+': it must exist; fdatasync needs no write access on Linux, but some systems do). */
function openFile(path: string): Promise<number> {
  return new Promise((resolve, reject) => open(path, 'r+', (err, fd) => (err ? reject(err) : resolve(fd))));
}
