import { parseMatchers } from '../../src/routing/matchers';
import { routeAlert } from '../../src/routing/router';
import type { RouteConfig } from '../../src/config/schema';

/** route builds a route node the way the schema would (defaults filled). */
function route(spec: Partial<Omit<RouteConfig, 'matchers'>> & { matchers?: string[] }): RouteConfig {
  return {
    receiver: spec.receiver,
    receivers: spec.receivers,
    matchers: (spec.matchers ?? []).flatMap((text) => parseMatchers(text)),
    continue: spec.continue ?? false,
    send_resolved: spec.send_resolved,
    template: spec.template,
    routes: spec.routes ?? [],
  };
}

/** short renders targets as `receiver/template/sendResolved@path`. */
const short = (root: RouteConfig, labels: Record<string, string>) =>
  routeAlert(root, labels).map((target) => `${target.receiver}/${target.template ?? '-'}/${target.sendResolved ? 'resolved' : 'no-resolved'}@${target.routePath}`);

describe('routeAlert', () => {
  const tree = route({
    receiver: 'default',
    routes: [
      route({ matchers: ['team="dba"'], receiver: 'dba' }),
      route({ matchers: ['severity="critical"'], receiver: 'oncall', continue: true }),
      route({ matchers: ['severity=~"critical|warning"'], receiver: 'ops' }),
      route({ matchers: ['severity="critical"'], receiver: 'never-reached' }),
    ],
  });

  it.each<[string, Record<string, string>, string[]]>([
    ['no child matches → the root receiver', { severity: 'info' }, ['default/-/resolved@route']],
    ['first match wins', { team: 'dba', severity: 'critical' }, ['dba/-/resolved@route.routes[0]']],
    ['continue goes on to the next matching sibling, which stops', { severity: 'critical' }, ['oncall/-/resolved@route.routes[1]', 'ops/-/resolved@route.routes[2]']],
    ['a later sibling alone', { severity: 'warning' }, ['ops/-/resolved@route.routes[2]']],
  ])('%s', (_name, labels, expected) => {
    expect(short(tree, labels)).toEqual(expected);
  });

  it('delivers only to the continue route when no later sibling matches (not also to the parent)', () => {
    const root = route({ receiver: 'default', routes: [route({ matchers: ['a="1"'], receiver: 'x', continue: true }), route({ matchers: ['b="1"'], receiver: 'y' })] });
    expect(short(root, { a: '1' })).toEqual(['x/-/resolved@route.routes[0]']);
  });

  it('descends into nested routes and falls back to the matching parent when no grandchild matches', () => {
    const root = route({
      receiver: 'default',
      routes: [route({ matchers: ['env="prod"'], receiver: 'prod', routes: [route({ matchers: ['team="dba"'], receiver: 'prod-dba' })] })],
    });
    expect(short(root, { env: 'prod', team: 'dba' })).toEqual(['prod-dba/-/resolved@route.routes[0].routes[0]']);
    expect(short(root, { env: 'prod', team: 'web' })).toEqual(['prod/-/resolved@route.routes[0]']);
    expect(short(root, { env: 'dev', team: 'dba' })).toEqual(['default/-/resolved@route']);
  });

  it('inherits receiver, send_resolved and template from ancestors unless a node overrides them', () => {
    const root = route({
      receiver: 'default',
      template: 'base',
      routes: [
        route({
          matchers: ['env="prod"'],
          send_resolved: false,
          routes: [
            route({ matchers: ['team="dba"'] }),
            route({ matchers: ['team="web"'], receiver: 'web', template: 'web', send_resolved: true }),
          ],
        }),
      ],
    });
    expect(short(root, { env: 'prod', team: 'dba' })).toEqual(['default/base/no-resolved@route.routes[0].routes[0]']);
    expect(short(root, { env: 'prod', team: 'web' })).toEqual(['web/web/resolved@route.routes[0].routes[1]']);
    expect(short(root, { env: 'dev' })).toEqual(['default/base/resolved@route']);
  });

  it('sends to every receiver of a receivers list, in order, and children inherit the list', () => {
    const root = route({
      receiver: 'default',
      routes: [route({ matchers: ['team="dba"'], receivers: ['dba-robot', 'dba-app'], routes: [route({ matchers: ['severity="critical"'], template: 'pager' })] })],
    });
    expect(short(root, { team: 'dba' })).toEqual(['dba-robot/-/resolved@route.routes[0]', 'dba-app/-/resolved@route.routes[0]']);
    expect(short(root, { team: 'dba', severity: 'critical' })).toEqual(['dba-robot/pager/resolved@route.routes[0].routes[0]', 'dba-app/pager/resolved@route.routes[0].routes[0]']);
  });

  it('drops duplicate targets (same receiver and template), keeping the first', () => {
    const root = route({
      receiver: 'default',
      routes: [
        route({ matchers: ['a="1"'], receiver: 'ops', continue: true }),
        route({ matchers: ['b="1"'], receivers: ['ops', 'dba'], send_resolved: false, continue: true }),
        route({ matchers: ['c="1"'], receiver: 'ops', template: 'other' }),
      ],
    });
    expect(short(root, { a: '1', b: '1', c: '1' })).toEqual([
      'ops/-/resolved@route.routes[0]',
      'dba/-/no-resolved@route.routes[1]',
      'ops/other/resolved@route.routes[2]',
    ]);
  });

  it('matches the pseudo-labels source and status like any label', () => {
    const root = route({
      receiver: 'default',
      routes: [route({ matchers: ['source="grafana"', 'status="resolved"'], receiver: 'grafana-resolved' }), route({ matchers: ['source=~"kibana|grafana"'], receiver: 'logs' })],
    });
    expect(short(root, { source: 'grafana', status: 'resolved' })).toEqual(['grafana-resolved/-/resolved@route.routes[0]']);
    expect(short(root, { source: 'grafana', status: 'firing' })).toEqual(['logs/-/resolved@route.routes[1]']);
    expect(short(root, { source: 'alertmanager', status: 'firing' })).toEqual(['default/-/resolved@route']);
  });

  it('returns nothing when no node on the path has a receiver', () => {
    expect(routeAlert(route({}), {})).toEqual([]);
  });
});
