import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { SqliteOutboxStore } from '../../src/outbox/sqlite-store';
import { SqliteHistoryStore } from '../../src/history/sqlite-history-store';
import { SqliteActionStore } from '../../src/interactive/sqlite-action-store';
import { PAGE_CACHE_KIB } from '../../src/storage/page-cache';

/**
 * Issue 18 (memory): every SQLite connection of the storage directory uses SQLite's own 2 MiB page
 * cache, not better-sqlite3's 16 MiB build default (a full cache stays resident: ~20 MB with a
 * 10,000-notification backlog). A negative cache_size is in KiB.
 */
const connection = (store: object): Database.Database => (store as { db: Database.Database }).db;
const cacheSize = (db: Database.Database): unknown => db.pragma('cache_size', { simple: true });

describe('SQLite page cache per connection', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'wecom-page-cache-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is 2,000 KiB on the outbox, the history and the actions file, and on a read-only outbox', async () => {
    expect(PAGE_CACHE_KIB).toBe(2000);
    const outbox = new SqliteOutboxStore(dir);
    const history = new SqliteHistoryStore(dir);
    const actions = new SqliteActionStore(dir);
    try {
      expect(cacheSize(outbox.database)).toBe(-2000);
      expect(cacheSize(connection(history))).toBe(-2000);
      expect(cacheSize(connection(actions))).toBe(-2000);
    } finally {
      await Promise.all([outbox.close(), history.close(), actions.close()]);
    }
    const inspected = new SqliteOutboxStore(dir, 'outbox.sqlite', { readonly: true });
    try {
      expect(cacheSize(inspected.database)).toBe(-2000);
    } finally {
      await inspected.close();
    }
  });
});
