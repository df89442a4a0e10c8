import type Redis from 'ioredis';
import { CARD_RETENTION_MS, type AckRecord, type ActionStore, type AuditEntry, type CardRecord, type CardState, type EscalationTimer } from './action-store';

/**
 * RedisActionStore: the ActionStore shared by replicas (storage.redis). Claims are `SET NX PX`, so
 * one click, one escalation step or one silence is acted on by exactly one replica; acks are
 * `SET NX` per alert episode; lists are capped; everything expires after the retention.
 */
const LIST_CAP = 1000;

export class RedisActionStore implements ActionStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async saveCard(card: CardRecord): Promise<void> {
    await this.redis.set(this.key('card', card.taskId), JSON.stringify(card), 'PX', CARD_RETENTION_MS);
  }

  async card(taskId: string): Promise<CardRecord | undefined> {
    const text = await this.redis.get(this.key('card', taskId));
    return text ? (JSON.parse(text) as CardRecord) : undefined;
  }

  async saveState(taskId: string, state: CardState): Promise<void> {
    const card = await this.card(taskId);
    if (card) await this.saveCard({ ...card, state });
  }

  async claim(key: string, _now: number, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.key('claim', key), '1', 'PX', Math.max(1, Math.round(ttlMs)), 'NX')) === 'OK';
  }

  async unclaim(key: string): Promise<void> {
    await this.redis.del(this.key('claim', key));
  }

  async recordAck(ack: AckRecord): Promise<boolean> {
    const stored = await this.redis.set(this.key('ack', `${ack.fingerprint}|${ack.startsAt}`), JSON.stringify(ack), 'PX', CARD_RETENTION_MS, 'NX');
    if (stored !== 'OK') return false;
    await this.redis.multi().zadd(this.key('acks'), ack.at, JSON.stringify(ack)).zremrangebyrank(this.key('acks'), 0, -LIST_CAP - 1).exec();
    return true;
  }

  async ackOf(fingerprint: string, startsAt: string): Promise<AckRecord | undefined> {
    const text = await this.redis.get(this.key('ack', `${fingerprint}|${startsAt}`));
    return text ? (JSON.parse(text) as AckRecord) : undefined;
  }

  async recentAcks(limit: number): Promise<AckRecord[]> {
    return (await this.redis.zrevrange(this.key('acks'), 0, limit - 1)).map((text) => JSON.parse(text) as AckRecord);
  }

  async acksSince(since: number): Promise<AckRecord[]> {
    return (await this.redis.zrangebyscore(this.key('acks'), since, '+inf')).map((text) => JSON.parse(text) as AckRecord);
  }

  async audit(entry: AuditEntry): Promise<void> {
    await this.redis.multi().lpush(this.key('audit'), JSON.stringify(entry)).ltrim(this.key('audit'), 0, LIST_CAP - 1).exec();
  }

  async recentAudit(limit: number): Promise<AuditEntry[]> {
    return (await this.redis.lrange(this.key('audit'), 0, limit - 1)).map((text) => JSON.parse(text) as AuditEntry);
  }

  async schedule(timer: EscalationTimer): Promise<void> {
    await this.redis.multi().zadd(this.key('timers'), timer.dueAt, timer.id).set(this.key('timer', timer.id), JSON.stringify(timer), 'PX', CARD_RETENTION_MS).exec();
  }

  async due(now: number, limit: number): Promise<EscalationTimer[]> {
    const ids = await this.redis.zrangebyscore(this.key('timers'), '-inf', now, 'LIMIT', 0, limit);
    if (ids.length === 0) return [];
    const texts = await this.redis.mget(ids.map((id) => this.key('timer', id)));
    return texts.filter((text): text is string => Boolean(text)).map((text) => JSON.parse(text) as EscalationTimer);
  }

  async unschedule(id: string): Promise<void> {
    await this.redis.multi().zrem(this.key('timers'), id).del(this.key('timer', id)).exec();
  }

  async close(): Promise<void> {
    // The connection is shared with the outbox, which closes it.
  }

  private key(...parts: string[]): string {
    return `${this.prefix}actions:${parts.join(':')}`;
  }
}
