import type { Service } from '../service';
import { humanDuration } from '../render/time-format';
import { deliveryRow, type DeliveryRow } from './deliveries';

/**
 * The receivers panel: each configured receiver with its rate-limit state as the worker sees it
 * (the same sliding window that gates sends), its queue and dead letters from the outbox, and its
 * last success and last error from the delivery records.
 */
export interface ReceiverRow {
  name: string;
  kind: string;
  msgtype: string;
  /** Bytes a message may have (content, or description for cards). */
  limit: number;
  rateLimit?: { used: number; count: number; per: string };
  queued: number;
  dead: number;
  lastSuccess?: DeliveryRow;
  lastError?: DeliveryRow;
}

/** Deliveries scanned for last success / last error: enough for hours of normal traffic. */
const HISTORY_SCAN = 500;

export async function receiverRows(service: Service, now: number): Promise<ReceiverRow[]> {
  const { config, channels } = service.current;
  const timezone = config.server.timezone;
  const [pending, dead, recent] = await Promise.all([service.store.pendingCounts(), service.store.deadCounts(), service.store.recentDeliveries(HISTORY_SCAN)]);
  return [...channels.values()].map((channel) => {
    const mine = recent.filter((record) => record.receiver === channel.name);
    const success = mine.find((record) => record.status === 'sent');
    const failure = mine.find((record) => record.status !== 'sent');
    const limit = channel.rateLimit;
    return {
      name: channel.name,
      kind: channel.kind,
      msgtype: channel.format.msgtype,
      limit: channel.format.limit,
      rateLimit: limit && { used: service.limiter.usedInWindow(channel.name, limit, now), count: limit.count, per: humanDuration(limit.perMs) },
      queued: pending[channel.name] ?? 0,
      dead: dead[channel.name] ?? 0,
      lastSuccess: success && deliveryRow(success, timezone),
      lastError: failure && deliveryRow(failure, timezone),
    };
  });
}
