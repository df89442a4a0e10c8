import type { EscalationConfig } from '../config/interactive-schema';
import type { RouteConfig } from '../config/schema';
import { severityRank } from '../render/severity';
import { routeAlert } from '../routing/router';
import type { CardAlert } from './action-store';

/**
 * escalationFor finds the escalation policy of a card: the policy of the route through which its
 * alerts reached the card's receiver (the same routing the alerts took, re-evaluated on their
 * labels), for alerts at or above the policy's severity. Routes do not inherit `escalation`.
 */
export interface PolicyMatch {
  policy: EscalationConfig;
  routePath: string;
}

export function escalationFor(root: RouteConfig, receiver: string, alerts: CardAlert[]): PolicyMatch | undefined {
  for (const alert of alerts) {
    const labels = { ...alert.labels, source: alert.source, status: 'firing' };
    for (const target of routeAlert(root, labels)) {
      if (target.receiver !== receiver) continue;
      const policy = routeAt(root, target.routePath)?.escalation;
      if (policy && atOrAbove(alert.severity, policy.severity)) return { policy, routePath: target.routePath };
    }
  }
  return undefined;
}

/** atOrAbove: severity ranks lower-is-worse (render/severity.ts). */
function atOrAbove(severity: string, threshold: string | undefined): boolean {
  return threshold === undefined || severityRank(severity) <= severityRank(threshold);
}

/** routeAt resolves a router path such as `route.routes[1].routes[0]`. */
export function routeAt(root: RouteConfig, path: string): RouteConfig | undefined {
  let node: RouteConfig | undefined = root;
  for (const match of path.matchAll(/\.routes\[(\d+)\]/g)) node = node?.routes[Number(match[1])];
  return node;
}
