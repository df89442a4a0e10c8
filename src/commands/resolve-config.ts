import { existsSync } from 'node:fs';
import { loadConfigFile, type LoadedConfig } from '../config/load';
import { embeddedDefault } from '../config/default-config';

/**
 * resolveConfig picks the config the way SPEC §2 says: `--config FILE`, else `./config.yaml`,
 * else the embedded default. Returns a reloader too (undefined for the embedded default).
 */
export function resolveConfig(file: string | undefined, env: NodeJS.ProcessEnv = process.env): { loaded: LoadedConfig; reload?: () => LoadedConfig } {
  const path = file ?? (existsSync('config.yaml') ? 'config.yaml' : undefined);
  if (!path) return { loaded: embeddedDefault(env) };
  return { loaded: loadConfigFile(path, env), reload: () => loadConfigFile(path, env) };
}
