import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { configSchema, type Config } from './schema';
import { expandEnv, type EnvProblem } from './env-expand';
import { formatPath } from './format-path';
import { resolveSecretFiles } from './secret-files';
import { ConfigError } from './errors';

export interface LoadedConfig {
  config: Config;
  /** Absolute path of the file, or `<embedded default>`. */
  source: string;
  /** Directory relative paths in the config are resolved against. */
  baseDir: string;
}

/** loadConfigFile reads, expands, validates and resolves a YAML config file; throws ConfigError listing every problem. */
export function loadConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError([`${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`]);
  }
  return { config: parseConfigText(text, basename(file), dirname(path), env), source: path, baseDir: dirname(path) };
}

/**
 * parseConfigText validates YAML text. `label` prefixes every problem (`config.yaml: receivers[2].robot.key: required`).
 */
export function parseConfigText(text: string, label: string, baseDir: string, env: NodeJS.ProcessEnv = process.env): Config {
  // linePos is only filled by yaml's prettyErrors (which also rewrites the message), so count lines ourselves.
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter });
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((err) => `${label}: ${describeYamlError(err.message, err.linePos?.[0] ?? lineCounter.linePos(err.pos[0]))}`));
  }
  const raw = doc.toJS({ maxAliasCount: 100 }) as unknown;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError([`${label}: the config must be a YAML mapping with keys such as receivers and route`]);
  }
  return validateConfig(raw, label, baseDir, env);
}

/** validateConfig runs env expansion, the schema and secret-file resolution over an already parsed object. */
export function validateConfig(raw: unknown, label: string, baseDir: string, env: NodeJS.ProcessEnv = process.env): Config {
  const envProblems: EnvProblem[] = [];
  const expanded = expandEnv(raw, env, envProblems);
  const problems = envProblems.map((problem) => `${label}: ${formatPath(problem.path)}: ${problem.message}`);
  const result = configSchema.safeParse(expanded);
  if (!result.success) {
    for (const issue of result.error.issues) problems.push(`${label}: ${formatIssuePath(issue.path)}${describeIssue(issue)}`);
    throw new ConfigError(problems);
  }
  problems.push(...resolveSecretFiles(result.data, baseDir).map(([path, message]) => `${label}: ${path}: ${message}`));
  if (problems.length > 0) throw new ConfigError(problems);
  return result.data;
}

function formatIssuePath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '' : `${formatPath(path)}: `;
}

type Issue = import('zod').z.core.$ZodIssue;

/** describeIssue turns zod's wording into the short style of SPEC §2 (`required`, `unknown key`). */
function describeIssue(issue: Issue): string {
  if (issue.code === 'invalid_type' && (issue as { input?: unknown }).input === undefined) return 'required';
  if (issue.code === 'unrecognized_keys') return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}`;
  if (issue.code === 'invalid_value') return `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
  return issue.message;
}

function describeYamlError(message: string, pos?: { line: number; col: number }): string {
  const firstLine = message.split('\n')[0];
  return pos ? `line ${pos.line}, column ${pos.col}: ${firstLine}` : firstLine;
}
