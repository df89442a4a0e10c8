import type { Notification } from '../model/notification';

/**
 * NotificationCache: decoded notifications of queued jobs, by job id, so the worker's drains do not
 * re-read and re-parse the same stored text each time (a 10,000-alert job is ~5 MB of JSON, read on
 * every message it is split into). Safe because a queued notification never changes after enqueue
 * and job ids are never reused; the store still reads each job's state and progress from storage
 * on every call, and uses the cache only for jobs storage says are queued. Each entry also keeps
 * the stored text's size in bytes: a row rewritten by hand (or damaged) to another size is read
 * again. Bounded by entry count and total text size; least recently used entries go first.
 */

/** Default bounds: enough for a few of the largest webhooks (body_limit) plus a full worker batch. */
export const NOTIFICATION_CACHE_MAX_ENTRIES = 2000;
export const NOTIFICATION_CACHE_MAX_BYTES = 32 * 1024 * 1024;

interface Entry {
  notification: Notification;
  bytes: number;
}

export class NotificationCache {
  private readonly entries = new Map<string, Entry>();
  private totalBytes = 0;

  constructor(
    private readonly maxEntries = NOTIFICATION_CACHE_MAX_ENTRIES,
    private readonly maxBytes = NOTIFICATION_CACHE_MAX_BYTES,
  ) {}

  /** get returns the cached notification of job `id` if its stored text is still `bytes` long. */
  get(id: string, bytes: number): Notification | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (entry.bytes !== bytes) {
      this.delete(id);
      return undefined;
    }
    // Re-insert: a Map iterates in insertion order, so the first key is the least recently used.
    this.entries.delete(id);
    this.entries.set(id, entry);
    return entry.notification;
  }

  /** set caches a decoded notification (`bytes`: its stored text's UTF-8 size); too large ones are not kept. */
  set(id: string, notification: Notification, bytes: number): void {
    this.delete(id);
    if (bytes > this.maxBytes) return;
    this.entries.set(id, { notification, bytes });
    this.totalBytes += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.totalBytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.totalBytes -= entry.bytes;
    }
  }

  /** delete drops a job's entry (the job left the queue: sent, killed, quarantined, requeued). */
  delete(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    this.totalBytes -= entry.bytes;
  }

  /** has: whether job `id` is cached (tests). */
  has(id: string): boolean {
    return this.entries.has(id);
  }

  /** size: cached entries (tests, diagnostics). */
  get size(): number {
    return this.entries.size;
  }
}
