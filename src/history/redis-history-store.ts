import type Redis from 'ioredis';
import type { HistoryRecord, HistoryStore } from './history-store';
import { HISTORY_SCAN, historyMatches, type HistoryQuery, type HistorySearchResult } from './history-query';

/** Members read per round trip while searching newest first. */
const PAGE = 1000;

/**
 * RedisHistoryStore: the alert history shared by replicas (storage.redis), so a digest summarizes
 * what every replica received. One sorted set scored by receive time; members are the JSON record
 * with a sequence number to keep identical receptions distinct. A hash holds each alert's last
 * record (the console's "firing now").
 */
export class RedisHistoryStore implements HistoryStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private get key(): string {
    return `${this.prefix}history`;
  }

  async record(records: HistoryRecord[]): Promise<void> {
    if (records.length === 0) return;
    const first = await this.redis.incrby(`${this.prefix}history:seq`, records.length);
    const args: (string | number)[] = [];
    records.forEach((record, index) => args.push(record.receivedAt, `${first - records.length + index + 1}|${JSON.stringify(record)}`));
    const current: string[] = [];
    for (const record of records) current.push(`${record.source}\u0000${record.fingerprint}`, JSON.stringify(record));
    await this.redis.multi().zadd(this.key, ...args).hset(`${this.key}:current`, ...current).exec();
  }

  async search(query: HistoryQuery): Promise<HistorySearchResult> {
    const records: HistoryRecord[] = [];
    const max = query.to === undefined ? '+inf' : `(${query.to}`;
    const min = query.from ?? '-inf';
    let scanned = 0;
    while (scanned < HISTORY_SCAN) {
      const members = await this.redis.zrevrangebyscore(this.key, max, min, 'LIMIT', scanned, Math.min(PAGE, HISTORY_SCAN - scanned));
      for (const member of members) {
        const record = decode(member);
        if (historyMatches(record, query)) records.push(record);
        if (records.length >= query.limit) return { records, scanned: scanned + 1, truncated: false };
        scanned++;
      }
      if (members.length < PAGE) return { records, scanned, truncated: false };
    }
    return { records, scanned, truncated: true };
  }

  async current(limit: number): Promise<HistoryRecord[]> {
    const values = Object.values(await this.redis.hgetall(`${this.key}:current`)).map((text) => JSON.parse(text) as HistoryRecord);
    return values.sort((a, b) => b.receivedAt - a.receivedAt).slice(0, limit);
  }

  async received(from: number, to: number): Promise<HistoryRecord[]> {
    const members = await this.redis.zrangebyscore(this.key, from, `(${to}`);
    return members.map(decode);
  }

  async latest(since: number, to: number): Promise<HistoryRecord[]> {
    const last = new Map<string, HistoryRecord>();
    for (const record of await this.received(since, to)) last.set(`${record.source}\u0000${record.fingerprint}`, record);
    return [...last.values()];
  }

  async prune(before: number): Promise<number> {
    const current = await this.redis.hgetall(`${this.key}:current`);
    const stale = Object.entries(current)
      .filter(([, text]) => (JSON.parse(text) as HistoryRecord).receivedAt < before)
      .map(([field]) => field);
    if (stale.length > 0) await this.redis.hdel(`${this.key}:current`, ...stale);
    return this.redis.zremrangebyscore(this.key, '-inf', `(${before}`);
  }

  /** claimRun: exactly one replica sends the digest of a scheduled run. */
  async claimRun(name: string, at: number): Promise<boolean> {
    return (await this.redis.set(`${this.prefix}digest-run:${name}:${at}`, '1', 'PX', 86_400_000, 'NX')) === 'OK';
  }

  async close(): Promise<void> {
    // The connection belongs to the outbox store, which closes it.
  }
}

function decode(member: string): HistoryRecord {
  return JSON.parse(member.slice(member.indexOf('|') + 1)) as HistoryRecord;
}
