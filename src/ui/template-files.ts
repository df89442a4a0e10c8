import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { packageRoot } from '../package-root';
import type { RuntimeState } from '../runtime-state';

/**
 * The template files the console's editor offers: every built-in and override template and
 * partial, by the name the engine uses (`alertmanager.md.hbs`, `_partials/md_alert.hbs`), with
 * where the effective file lives. Names are checked against this list, so a request can never
 * name a path outside the two template directories.
 */
export interface TemplateFile {
  name: string;
  origin: 'builtin' | 'override';
  /** Variant of a template (md, text, …); undefined for partials. */
  variant?: string;
  path: string;
}

const TEMPLATE_RE = /^[A-Za-z0-9_.\-]+\.(md|text|textcard|news|card)\.hbs$/;
const PARTIAL_RE = /^[A-Za-z0-9_.\-]+\.hbs$/;

export function builtinTemplatesDir(): string {
  return join(packageRoot(), 'templates');
}

/** userTemplatesDir: the configured `templates` directory (absolute), if any. */
export function userTemplatesDir(state: RuntimeState): string | undefined {
  return state.config.templates ? resolve(state.loaded.baseDir, state.config.templates) : undefined;
}

/** validTemplateName: a name the editor may create or replace (a template or a partial). */
export function validTemplateName(name: string): boolean {
  return TEMPLATE_RE.test(name) || (name.startsWith('_partials/') && PARTIAL_RE.test(name.slice('_partials/'.length)));
}

export function listTemplateFiles(state: RuntimeState): TemplateFile[] {
  const files = new Map<string, TemplateFile>();
  const scan = (dir: string | undefined, origin: TemplateFile['origin']) => {
    if (!dir || !existsSync(dir)) return;
    for (const entry of readdirSync(dir)) {
      if (TEMPLATE_RE.test(entry)) files.set(entry, { name: entry, origin, variant: TEMPLATE_RE.exec(entry)![1], path: join(dir, entry) });
    }
    const partials = join(dir, '_partials');
    if (existsSync(partials)) for (const entry of readdirSync(partials)) if (PARTIAL_RE.test(entry)) files.set(`_partials/${entry}`, { name: `_partials/${entry}`, origin, path: join(partials, entry) });
  };
  scan(builtinTemplatesDir(), 'builtin');
  scan(userTemplatesDir(state), 'override');
  return [...files.values()].sort((a, b) => Number(a.name.startsWith('_')) - Number(b.name.startsWith('_')) || a.name.localeCompare(b.name));
}

/** readTemplateFile returns a listed file's text, or undefined for a name not in the list. */
export function readTemplateFile(state: RuntimeState, name: string): { file: TemplateFile; text: string } | undefined {
  const file = listTemplateFiles(state).find((candidate) => candidate.name === name);
  return file && { file, text: readFileSync(file.path, 'utf8') };
}

/**
 * withOverlay runs `use` with a temporary directory holding the user's overrides plus the edited
 * file, i.e. the template set as it would be after saving; the directory is removed afterwards.
 * The path of the edited file inside it is passed too (engine errors name it).
 */
export function withOverlay<T>(state: RuntimeState, name: string, text: string, use: (dir: string, editedPath: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'wecom-template-edit-'));
  try {
    const user = userTemplatesDir(state);
    if (user && existsSync(user)) cpSync(user, dir, { recursive: true, filter: (source) => !/\.tmp-[^/]*$/.test(source) });
    const edited = join(dir, name);
    mkdirSync(dirname(edited), { recursive: true });
    writeFileSync(edited, text);
    return use(dir, edited);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
