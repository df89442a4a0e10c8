import { validateConfig, type LoadedConfig } from './load';

/**
 * The embedded default (SPEC §2): used when there is no --config and no ./config.yaml. Every source
 * is routed to a `console` receiver that prints the rendered message, so `npm start` plus one curl
 * of a fixture shows a new user what their group would receive.
 */
export const EMBEDDED_DEFAULT = {
  receivers: [{ name: 'console', console: { msgtype: 'markdown' } }],
  route: { receiver: 'console' },
};

export const EMBEDDED_LABEL = '<embedded default>';

export function embeddedDefault(env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const baseDir = process.cwd();
  return { config: validateConfig(structuredClone(EMBEDDED_DEFAULT), EMBEDDED_LABEL, baseDir, env), source: EMBEDDED_LABEL, baseDir };
}
