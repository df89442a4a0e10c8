import type { Alert } from '../model/alert';
import { markOf } from './alert-mark';
import type { SeverityScheme } from './severity';

/**
 * orderAlerts is the reading order of a notification (README "Message layout"): what still fires
 * before what has resolved, the most severe first, and alerts of one name together (in the order the
 * name first appeared) so a storm reads as a few named groups. Otherwise payload order is kept
 * (the sort is stable), so the same payload always renders the same way. Applied once when a
 * notification is planned, so every part of a split follows the same order.
 */
export function orderAlerts(alerts: readonly Alert[], scheme: SeverityScheme): Alert[] {
  const keyed = alerts.map((alert, index) => ({
    alert,
    index,
    resolved: alert.status === 'resolved' ? 1 : 0,
    // Badge rank: severities, then No Data / Error, then endings without recovery, then recoveries.
    rank: markOf(alert, scheme).rank,
  }));
  const firstSeen = new Map<string, number>();
  for (const item of keyed) {
    const bucket = `${item.resolved}\u0000${item.rank}\u0000${item.alert.name}`;
    if (!firstSeen.has(bucket)) firstSeen.set(bucket, item.index);
  }
  return keyed
    .sort(
      (a, b) =>
        a.resolved - b.resolved ||
        a.rank - b.rank ||
        firstSeen.get(`${a.resolved}\u0000${a.rank}\u0000${a.alert.name}`)! - firstSeen.get(`${b.resolved}\u0000${b.rank}\u0000${b.alert.name}`)! ||
        a.index - b.index,
    )
    .map((item) => item.alert);
}
