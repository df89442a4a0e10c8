import type { RouteConfig } from '../config/schema';
import { matchesAll } from './matchers';

/**
 * Router evaluates the routing table per alert (SPEC §4), the Alertmanager way: child routes in
 * order, the first match wins unless it has `continue: true`; a node with no matching child
 * delivers to its own receiver(s). Children inherit receiver, send_resolved and template from
 * their parent when they do not set them.
 */
export interface RouteTarget {
  receiver: string;
  /** Template base name from the route, if any. */
  template?: string;
  sendResolved: boolean;
  /** Path of the route that matched, e.g. `route.routes[1]` (for render and logs). */
  routePath: string;
}

interface Inherited {
  receivers: string[];
  sendResolved: boolean;
  template?: string;
}

export function routeAlert(root: RouteConfig, labels: Record<string, string>): RouteTarget[] {
  const inherited = inherit({ receivers: [], sendResolved: true }, root);
  const targets = walk(root, labels, inherited, 'route');
  const seen = new Set<string>();
  return targets.filter((target) => {
    const key = `${target.receiver}\u0000${target.template ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function walk(node: RouteConfig, labels: Record<string, string>, settings: Inherited, path: string): RouteTarget[] {
  const results: RouteTarget[] = [];
  for (const [index, child] of node.routes.entries()) {
    if (!matchesAll(child.matchers, labels)) continue;
    results.push(...walk(child, labels, inherit(settings, child), `${path}.routes[${index}]`));
    if (!child.continue) break;
  }
  if (results.length > 0) return results;
  return settings.receivers.map((receiver) => ({ receiver, template: settings.template, sendResolved: settings.sendResolved, routePath: path }));
}

function inherit(parent: Inherited, node: RouteConfig): Inherited {
  return {
    receivers: node.receivers ?? (node.receiver ? [node.receiver] : parent.receivers),
    sendResolved: node.send_resolved ?? parent.sendResolved,
    template: node.template ?? parent.template,
  };
}
