import type Redis from 'ioredis';
import type { HistoryRecord, HistoryStore } from './history-store';

/**
 * RedisHistoryStore: the alert history shared by replicas (storage.redis), so a digest summarizes
 * what every replica received. One sorted set scored by receive time; members are the JSON record
 * with a sequence number to keep identical receptions distinct.
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
    await this.redis.zadd(this.key, ...args);
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
