/**
 * expandEnv replaces `${VAR}` and `${VAR:-default}` in every string of a parsed YAML tree.
 * Expansion runs on parsed values, not on the raw text, so an environment value can never change
 * the YAML structure. `$${` stands for a literal `${`. Unset variables without a default are
 * reported with the key path where they were used.
 */
export interface EnvProblem {
  path: (string | number)[];
  message: string;
}

const VAR_RE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export function expandEnv(value: unknown, env: NodeJS.ProcessEnv, problems: EnvProblem[], path: (string | number)[] = []): unknown {
  if (typeof value === 'string') return expandString(value, env, problems, path);
  if (Array.isArray(value)) return value.map((item, index) => expandEnv(item, env, problems, [...path, index]));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = expandEnv(item, env, problems, [...path, key]);
    return out;
  }
  return value;
}

function expandString(text: string, env: NodeJS.ProcessEnv, problems: EnvProblem[], path: (string | number)[]): string {
  return text.replace(VAR_RE, (whole, name: string | undefined, fallback: string | undefined) => {
    if (whole === '$${') return '${';
    const found = env[name!];
    if (found !== undefined && found !== '') return found;
    if (fallback !== undefined) return fallback;
    problems.push({ path, message: `environment variable ${name} is not set` });
    return '';
  });
}
