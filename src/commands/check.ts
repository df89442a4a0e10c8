import { basename, resolve } from 'node:path';
import { loadConfigFile } from '../config/load';
import { ConfigError } from '../config/errors';
import { receiverKind } from '../config/receivers-schema';
import type { RouteConfig } from '../config/schema';
import { templateProblems } from '../config/template-check';
import { formatMatcher } from '../routing/matchers';
import { TemplateEngine, TemplateLoadError } from '../render/engine';
import { formatDuration } from '../config/duration';

/**
 * check: validate a config and compile every template (SPEC §2). Prints a summary and exits 0, or
 * prints one line per problem (`config.yaml: receivers[2].robot.key: required`) and exits 1.
 */
export function checkCommand(file: string, out: (line: string) => void = console.log, err: (line: string) => void = console.error): number {
  let loaded;
  try {
    loaded = loadConfigFile(file);
  } catch (error) {
    if (error instanceof ConfigError) {
      error.problems.forEach((problem) => err(problem));
      return 1;
    }
    throw error;
  }
  const { config } = loaded;
  let engine: TemplateEngine;
  try {
    engine = TemplateEngine.load({ userDir: config.templates ? resolve(loaded.baseDir, config.templates) : undefined });
  } catch (error) {
    if (error instanceof TemplateLoadError) {
      error.problems.forEach((problem) => err(problem));
      return 1;
    }
    throw error;
  }
  // Same label as loadConfigFile's problems (the file name), so every line of one run looks alike.
  const problems = templateProblems(config, engine, basename(file));
  if (problems.length > 0) {
    problems.forEach((problem) => err(problem));
    return 1;
  }
  out(`${file}: OK`);
  out(`receivers (${config.receivers.length}):`);
  for (const receiver of config.receivers) {
    const kind = receiverKind(receiver);
    const detail = receiver.robot
      ? `msgtype ${receiver.robot.msgtype}, rate limit ${receiver.robot.rate_limit.count}/${formatDuration(receiver.robot.rate_limit.per)}`
      : receiver.app
        ? `msgtype ${receiver.app.msgtype}, agent ${receiver.app.agent_id}, to ${[receiver.app.to_user && `user ${receiver.app.to_user}`, receiver.app.to_party && `party ${receiver.app.to_party}`, receiver.app.to_tag && `tag ${receiver.app.to_tag}`].filter(Boolean).join(', ')}`
        : `msgtype ${receiver.console!.msgtype}`;
    out(`  - ${receiver.name} (${kind}): ${detail}`);
  }
  out('routes:');
  printRoute(config.route, 'route', 1, out);
  out(`templates: ${engine.names().length} compiled${config.templates ? ` (overrides from ${config.templates})` : ''}`);
  if (config.digests.length > 0) out(`digests: ${config.digests.map((digest) => `${digest.name} "${digest.schedule}" → ${digest.receiver}`).join('; ')}`);
  return 0;
}

function printRoute(route: RouteConfig, path: string, depth: number, out: (line: string) => void): void {
  const receivers = route.receivers ?? (route.receiver ? [route.receiver] : ['(inherited)']);
  const matchers = route.matchers.length > 0 ? `{${route.matchers.map(formatMatcher).join(', ')}}` : '(default)';
  const flags = [route.continue && 'continue', route.send_resolved === false && 'no resolved', route.template && `template ${route.template}`].filter(Boolean).join(', ');
  out(`${'  '.repeat(depth)}- ${path}: ${matchers} → ${receivers.join(', ')}${flags ? ` [${flags}]` : ''}`);
  route.routes.forEach((child, index) => printRoute(child, `${path}.routes[${index}]`, depth + 1, out));
}
