import type { Alert, SourceName } from '../model/alert';
import type { FiringKey, FiringStateStore } from './firing-state-store';

/**
 * The resolution rule: deliver a resolution only for an alert known to be firing — applied only
 * where the sender cannot know it itself.
 *
 * Elasticsearch Watcher has no resolve concept; its documented two-action pattern
 * (payloads.md §4.2, examples/watcher/watch-with-resolve.json) runs the "resolved" action on every
 * healthy execution, so a watch that never fired would send "已恢复" every 5 minutes. Its firing
 * messages are therefore recorded, and a resolution is delivered once per recorded firing.
 *
 * Not applied to Alertmanager, Grafana or Kibana rules: Alertmanager and Grafana notify a
 * resolution only for alerts they notified firing, and Kibana runs a rule's Recovered action only
 * for alerts that were active — their resolutions are always real, even after our restart.
 */

/** Sources whose alerts the rule can apply to (their suppression counter starts at zero). */
export const RULE_SOURCES: readonly SourceName[] = ['kibana'];

/**
 * needsKnownFiring tells Watcher alerts from Kibana rule alerts (both arrive on `/webhook/kibana`):
 * a Watcher alert carries the `watch_id` label (payloads.md §5), and a Kibana rule alert always
 * carries its `action_group` annotation (required in its body) — a rule tagged `watch_id:x` stays
 * a rule.
 */
export function needsKnownFiring(alert: Alert): boolean {
  return alert.source === 'kibana' && alert.labels.watch_id !== undefined && alert.annotations.action_group === undefined;
}

export interface RuleOutcome {
  /** The alerts to route and deliver. */
  alerts: Alert[];
  /** Resolutions dropped because their alert was not known to be firing. */
  suppressed: number;
  /** Firing records consumed by the delivered resolutions (restore them if the enqueue fails). */
  claimed: FiringKey[];
}

/**
 * applyResolutionRule records the firing alerts the rule covers and claims the firing record of
 * each resolution it covers; a resolution without one is suppressed. Other alerts pass untouched.
 * Store errors propagate (the caller answers 503: nothing has been queued yet).
 */
export async function applyResolutionRule(alerts: Alert[], store: FiringStateStore, now: number): Promise<RuleOutcome> {
  const covered = alerts.filter(needsKnownFiring);
  if (covered.length === 0) return { alerts, suppressed: 0, claimed: [] };
  const keyOf = (alert: Alert): FiringKey => ({ source: alert.source, fingerprint: alert.fingerprint });
  await store.markFiring(covered.filter((alert) => alert.status === 'firing').map(keyOf), now);
  const dropped = new Set<Alert>();
  const claimed: FiringKey[] = [];
  for (const alert of covered) {
    if (alert.status !== 'resolved') continue;
    if (await store.claimResolution(keyOf(alert), now)) claimed.push(keyOf(alert));
    else dropped.add(alert);
  }
  return { alerts: alerts.filter((alert) => !dropped.has(alert)), suppressed: dropped.size, claimed };
}

/** undoClaims puts back the firing records of resolutions that could not be queued after all. */
export async function undoClaims(claimed: FiringKey[], store: FiringStateStore, now: number): Promise<void> {
  await store.markFiring(claimed, now);
}
