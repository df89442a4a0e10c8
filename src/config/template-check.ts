import type { Config, RouteConfig } from './schema';
import { receiverKind } from './receivers-schema';
import { messageFormat } from '../render/format';
import type { TemplateEngine } from '../render/engine';

/**
 * templateProblems checks that every template a delivery could need exists: each source's default
 * template for every receiver's variant, and every route `template` for the receivers it reaches.
 * Run by `check` and at start, so a missing template is a config error, not a dead letter.
 */
const SOURCES = ['alertmanager', 'grafana', 'kibana'];

export function templateProblems(config: Config, engine: TemplateEngine, label: string): string[] {
  const problems: string[] = [];
  const variantOf = (name: string) => {
    const receiver = config.receivers.find((candidate) => candidate.name === name);
    if (!receiver) return undefined;
    const kind = receiverKind(receiver);
    const msgtype = receiver.robot?.msgtype ?? receiver.app?.msgtype ?? receiver.console?.msgtype ?? 'markdown';
    return messageFormat(kind, msgtype).variant;
  };
  for (const receiver of config.receivers) {
    const variant = variantOf(receiver.name)!;
    for (const source of [...SOURCES, 'message']) {
      if (!engine.resolve(source, variant)) problems.push(`${label}: receivers: no template ${source}.${variant}.hbs for receiver "${receiver.name}"`);
    }
  }
  const walk = (route: RouteConfig, path: string, inherited: string[], template?: string) => {
    const receivers = route.receivers ?? (route.receiver ? [route.receiver] : inherited);
    const effective = route.template ?? template;
    if (route.template) {
      for (const name of receivers) {
        const variant = variantOf(name);
        if (variant && !engine.resolve(route.template, variant)) problems.push(`${label}: ${path}.template: no template ${route.template}.${variant}.hbs (needed by receiver "${name}")`);
      }
    }
    route.routes.forEach((child, index) => walk(child, `${path}.routes[${index}]`, receivers, effective));
  };
  walk(config.route, 'route', []);
  config.digests.forEach((digest, index) => {
    const variant = variantOf(digest.receiver);
    if (variant && !engine.resolve(digest.template, variant)) problems.push(`${label}: digests[${index}].template: no template ${digest.template}.${variant}.hbs`);
  });
  return problems;
}
