import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { WalSync } from '../storage/wal-sync';
import { boundPageCache } from '../storage/page-cache';
import { closeConnection, leaveCheckpointsToThread, type Checkpointer } from '../storage/checkpointer';
import { CARD_RETENTION_MS, type AckRecord, type ActionStore, type AuditEntry, type CardRecord, type CardState, type EscalationTimer } from './action-store';

/**
 * SqliteActionStore: cards, acks, claims, timers and the audit log in `actions.sqlite` next to the
 * outbox (same directory, same single-owner rule), WAL: every write resolves only once it is on
 * disk (WalSync, off the event loop), so an acknowledgement answered to WeCom survives a crash or
 * power loss, and a slow disk never stalls other requests.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS cards (task_id TEXT PRIMARY KEY, receiver TEXT NOT NULL, created_at INTEGER NOT NULL, body TEXT NOT NULL, state TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS claims (key TEXT PRIMARY KEY, until INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS acks (fingerprint TEXT NOT NULL, starts_at TEXT NOT NULL, alert TEXT NOT NULL, receiver TEXT NOT NULL, task_id TEXT NOT NULL, user TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (fingerprint, starts_at));
CREATE INDEX IF NOT EXISTS acks_at ON acks (at);
CREATE TABLE IF NOT EXISTS audit (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, receiver TEXT NOT NULL, user TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL, result TEXT NOT NULL, detail TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS timers (id TEXT PRIMARY KEY, task_id TEXT NOT NULL, step INTEGER NOT NULL, due_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS timers_due ON timers (due_at);
`;

interface AckRow {
  fingerprint: string;
  starts_at: string;
  alert: string;
  receiver: string;
  task_id: string;
  user: string;
  at: number;
}

export class SqliteActionStore implements ActionStore {
  private readonly db: Database.Database;
  private writes = 0;
  private readonly path: string;
  private readonly walSync: WalSync;

  constructor(dir: string, fileName = 'actions.sqlite') {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, fileName);
    this.db = new Database(this.path);
    boundPageCache(this.db);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(SCHEMA);
    this.walSync = new WalSync(`${this.path}-wal`);
  }

  /** useCheckpointer moves this file's checkpoints off the event loop (storage/checkpointer.ts). */
  useCheckpointer(checkpointer: Checkpointer): void {
    leaveCheckpointsToThread(this.db);
    checkpointer.watch(this.path);
  }

  /** durable: resolves once every write so far is on disk (one shared WAL sync). */
  private durable(): Promise<void> {
    return this.walSync.sync();
  }

  async saveCard(card: CardRecord): Promise<void> {
    const { state, ...rest } = card;
    this.db.prepare('INSERT OR REPLACE INTO cards (task_id, receiver, created_at, body, state) VALUES (?, ?, ?, ?, ?)').run(card.taskId, card.receiver, card.createdAt, JSON.stringify(rest), JSON.stringify(state));
    this.trim(card.createdAt);
    await this.durable();
  }

  async card(taskId: string): Promise<CardRecord | undefined> {
    const row = this.db.prepare('SELECT body, state FROM cards WHERE task_id = ?').get(taskId) as { body: string; state: string } | undefined;
    return row ? { ...(JSON.parse(row.body) as Omit<CardRecord, 'state'>), state: JSON.parse(row.state) as CardState } : undefined;
  }

  async saveState(taskId: string, state: CardState): Promise<void> {
    this.db.prepare('UPDATE cards SET state = ? WHERE task_id = ?').run(JSON.stringify(state), taskId);
    await this.durable();
  }

  async claim(key: string, now: number, ttlMs: number): Promise<boolean> {
    const claim = this.db.transaction(() => {
      const row = this.db.prepare('SELECT until FROM claims WHERE key = ?').get(key) as { until: number } | undefined;
      if (row && row.until > now) return false;
      this.db.prepare('INSERT OR REPLACE INTO claims (key, until) VALUES (?, ?)').run(key, now + ttlMs);
      return true;
    });
    const claimed = claim();
    if (claimed) await this.durable();
    return claimed;
  }

  async unclaim(key: string): Promise<void> {
    this.db.prepare('DELETE FROM claims WHERE key = ?').run(key);
    await this.durable();
  }

  async recordAck(ack: AckRecord): Promise<boolean> {
    const result = this.db
      .prepare('INSERT OR IGNORE INTO acks (fingerprint, starts_at, alert, receiver, task_id, user, at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(ack.fingerprint, ack.startsAt, ack.alertName, ack.receiver, ack.taskId, ack.user, ack.at);
    if (result.changes === 1) await this.durable();
    return result.changes === 1;
  }

  async ackOf(fingerprint: string, startsAt: string): Promise<AckRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM acks WHERE fingerprint = ? AND starts_at = ?').get(fingerprint, startsAt) as AckRow | undefined;
    return row ? ackOf(row) : undefined;
  }

  async recentAcks(limit: number): Promise<AckRecord[]> {
    return (this.db.prepare('SELECT * FROM acks ORDER BY at DESC LIMIT ?').all(limit) as AckRow[]).map(ackOf);
  }

  async acksSince(since: number): Promise<AckRecord[]> {
    return (this.db.prepare('SELECT * FROM acks WHERE at >= ? ORDER BY at').all(since) as AckRow[]).map(ackOf);
  }

  async audit(entry: AuditEntry): Promise<void> {
    this.db.prepare('INSERT INTO audit (at, receiver, user, action, target, result, detail) VALUES (?, ?, ?, ?, ?, ?, ?)').run(entry.at, entry.receiver, entry.user, entry.action, entry.target, entry.result, entry.detail);
    await this.durable();
  }

  async recentAudit(limit: number): Promise<AuditEntry[]> {
    return this.db.prepare('SELECT at, receiver, user, action, target, result, detail FROM audit ORDER BY id DESC LIMIT ?').all(limit) as AuditEntry[];
  }

  async schedule(timer: EscalationTimer): Promise<void> {
    this.db.prepare('INSERT OR REPLACE INTO timers (id, task_id, step, due_at) VALUES (?, ?, ?, ?)').run(timer.id, timer.taskId, timer.step, timer.dueAt);
    await this.durable();
  }

  async due(now: number, limit: number): Promise<EscalationTimer[]> {
    const rows = this.db.prepare('SELECT id, task_id, step, due_at FROM timers WHERE due_at <= ? ORDER BY due_at LIMIT ?').all(now, limit) as { id: string; task_id: string; step: number; due_at: number }[];
    return rows.map((row) => ({ id: row.id, taskId: row.task_id, step: row.step, dueAt: row.due_at }));
  }

  async unschedule(id: string): Promise<void> {
    this.db.prepare('DELETE FROM timers WHERE id = ?').run(id);
    await this.durable();
  }

  async close(): Promise<void> {
    await this.walSync.close();
    closeConnection(this.db);
  }

  /** trim drops what is older than the retention, every few hundred writes (cheap, bounded file). */
  private trim(now: number): void {
    if (++this.writes % 200 !== 0) return;
    const before = now - CARD_RETENTION_MS;
    this.db.prepare('DELETE FROM cards WHERE created_at < ?').run(before);
    this.db.prepare('DELETE FROM claims WHERE until < ?').run(now);
    this.db.prepare('DELETE FROM acks WHERE at < ?').run(before);
    this.db.prepare('DELETE FROM audit WHERE at < ?').run(before);
  }
}

function ackOf(row: AckRow): AckRecord {
  return { fingerprint: row.fingerprint, startsAt: row.starts_at, alertName: row.alert, receiver: row.receiver, taskId: row.task_id, user: row.user, at: row.at };
}
