import type { AckRecord } from '../interactive/action-store';
import { humanDuration } from '../render/time-format';
import type { DigestPeriod } from './build';
import type { DigestAcks } from './types';

/**
 * digestAcks summarizes the acknowledgements from WeCom cards in a digest period: how many, by
 * whom (most first), and the mean time from an alert starting to its acknowledgement. Templates
 * see it as `digest.acks` (absent without interactive cards).
 */
export function digestAcks(acks: AckRecord[], period: DigestPeriod): DigestAcks {
  const inPeriod = acks.filter((ack) => ack.at >= period.from && ack.at < period.to);
  const users = new Map<string, number>();
  for (const ack of inPeriod) users.set(ack.user, (users.get(ack.user) ?? 0) + 1);
  const waits = inPeriod.map((ack) => ack.at - Date.parse(ack.startsAt)).filter((ms) => Number.isFinite(ms) && ms >= 0);
  const mttaMs = waits.length > 0 ? Math.round(waits.reduce((sum, ms) => sum + ms, 0) / waits.length) : undefined;
  return {
    count: inPeriod.length,
    byUser: [...users.entries()].map(([user, count]) => ({ user, count })).sort((a, b) => b.count - a.count || (a.user < b.user ? -1 : 1)),
    ...(mttaMs !== undefined ? { mttaMs, mtta: humanDuration(mttaMs) } : {}),
  };
}
