import type { AlertMark } from './alert-mark';
import type { AlertView } from './alert-view';

/**
 * AlertGroup: a run of alerts of one name and one badge inside a message — the storm layout shows
 * the name, badge, count and shared summary once, then one short line per alert with only what
 * differs. Alerts arrive ordered (alert-order.ts), so groups are contiguous runs.
 */
export interface AlertGroup {
  name: string;
  mark: AlertMark;
  status: 'firing' | 'resolved';
  count: number;
  /** The summary when every alert of the group has the same one, else '' (each line shows its own). */
  summary: string;
  alerts: AlertView[];
}

/** groupAlerts splits views into runs of equal name and badge. */
export function groupAlerts(views: readonly AlertView[]): AlertGroup[] {
  const groups: AlertGroup[] = [];
  for (const view of views) {
    const last = groups[groups.length - 1];
    if (last && last.name === view.name && last.mark.key === view.mark.key) {
      last.alerts.push(view);
      last.count += 1;
      if (last.summary !== view.summary) last.summary = '';
      continue;
    }
    groups.push({ name: view.name, mark: view.mark, status: view.status, count: 1, summary: view.summary, alerts: [view] });
  }
  return groups;
}
