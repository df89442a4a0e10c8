import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import Handlebars from 'handlebars';
import { templateHelpers, type RenderData } from './helpers';
import { packageRoot } from '../package-root';
import { callTemplate, captureRuntime, newFrame, type RuntimeTemplate, type TemplateRuntime } from './template-call';
import { sessionPartial, type RenderSession } from './render-session';

/**
 * TemplateEngine holds an isolated Handlebars instance with our helpers and every template and
 * partial compiled at load, so a syntax error or an unknown helper fails `check` and start-up, not
 * a 3 a.m. delivery. Files are `<base>.<variant>.hbs` (variants: md, text, textcard, news, card);
 * partials live in `_partials/`. A user directory overrides built-ins by file name.
 */
export type TemplateVariant = 'md' | 'text' | 'textcard' | 'news' | 'card';

/** Where a variant falls back when a template base lacks it. */
const VARIANT_FALLBACK: Record<TemplateVariant, TemplateVariant[]> = {
  md: ['md'],
  text: ['text'],
  textcard: ['textcard', 'text'],
  news: ['news', 'text'],
  card: ['card', 'text'],
};

export class TemplateLoadError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'TemplateLoadError';
  }
}

type Compiled = RuntimeTemplate;

export interface TemplateEngineOptions {
  /** A directory whose files override built-ins by name. */
  userDir?: string;
  /** Built-in templates; defaults to the package's `templates/`. */
  builtinDir?: string;
}

export class TemplateEngine {
  private readonly templates = new Map<string, Compiled>();
  /** file name → where it came from (for `check` summaries). */
  readonly origins = new Map<string, string>();

  /**
   * Built once, after every helper is registered (partials are read live), so renders do not
   * rebuild it (template-call.ts).
   */
  private readonly runtime: TemplateRuntime;
  /** The session of the render in progress (renders are synchronous), read by the partial wrappers. */
  private current: RenderSession | undefined;

  private constructor(private readonly hb: typeof Handlebars) {
    this.runtime = captureRuntime(hb, templateHelpers);
  }

  static load(options: TemplateEngineOptions = {}): TemplateEngine {
    const hb = Handlebars.create();
    for (const [name, helper] of Object.entries(templateHelpers)) hb.registerHelper(name, helper);
    const engine = new TemplateEngine(hb);
    const problems: string[] = [];
    const files = new Map<string, string>();
    const builtinDir = options.builtinDir ?? join(packageRoot(), 'templates');
    collect(builtinDir, files, problems);
    if (options.userDir) {
      if (!existsSync(options.userDir) || !statSync(options.userDir).isDirectory()) problems.push(`templates: directory ${options.userDir} does not exist`);
      else collect(options.userDir, files, problems);
    }
    const knownHelpers = Object.fromEntries(Object.keys(templateHelpers).map((name) => [name, true]));
    const compileOptions = { noEscape: true, knownHelpers, knownHelpersOnly: true } as const;
    for (const [name, file] of files) {
      if (!name.startsWith('_partials/')) continue;
      try {
        const source = readFileSync(file, 'utf8');
        // precompile, not parse: parse alone misses unknown helpers, which then failed at render time.
        hb.precompile(source, compileOptions);
        const partial = basename(name, '.hbs');
        const compiled = hb.compile(source, compileOptions) as (context: unknown, options: object) => string;
        hb.registerPartial(partial, sessionPartial(partial, compiled, () => engine.current) as unknown as Handlebars.Template);
      } catch (err) {
        problems.push(`${file}: ${firstLine(err)}`);
      }
    }
    for (const [name, file] of files) {
      if (name.startsWith('_partials/')) continue;
      try {
        const source = readFileSync(file, 'utf8');
        // precompile surfaces syntax errors and unknown helpers now; compile() alone is lazy.
        hb.precompile(source, compileOptions);
        engine.templates.set(name, hb.compile(source, compileOptions) as Compiled);
        engine.origins.set(name, file);
      } catch (err) {
        problems.push(`${file}: ${firstLine(err)}`);
      }
    }
    if (problems.length > 0) throw new TemplateLoadError(problems);
    return engine;
  }

  /** names lists the loaded template file names (`alertmanager.md.hbs`, …). */
  names(): string[] {
    return [...this.templates.keys()].sort();
  }

  /** resolve finds the file used for a base and variant, following variant fallbacks. */
  resolve(base: string, variant: TemplateVariant): string | undefined {
    for (const candidate of VARIANT_FALLBACK[variant]) {
      const name = `${base}.${candidate}.hbs`;
      if (this.templates.has(name)) return name;
    }
    return undefined;
  }

  /**
   * render renders a resolved template; throws when the base has no template for the variant. With
   * a session, renders of the same context object share partial results (render-session.ts).
   */
  render(base: string, variant: TemplateVariant, context: unknown, data: RenderData, session?: RenderSession): string {
    const name = this.resolve(base, variant);
    if (!name) throw new Error(`no template "${base}.${variant}.hbs"`);
    const template = this.templates.get(name)!;
    if (!session || typeof context !== 'object' || context === null) return callTemplate(template, this.runtime, context, newFrame(this.hb, context, data));
    const previous = this.current;
    this.current = session;
    try {
      return callTemplate(template, this.runtime, context, session.frameFor(context, () => newFrame(this.hb, context, data)));
    } finally {
      this.current = previous;
    }
  }
}

function collect(dir: string, files: Map<string, string>, problems: string[]): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir)) {
    const full = join(dir, entry);
    if (entry === '_partials' && statSync(full).isDirectory()) {
      for (const partial of readdirSync(full)) if (partial.endsWith('.hbs')) files.set(`_partials/${partial}`, join(full, partial));
    } else if (entry.endsWith('.hbs')) {
      if (!/^[A-Za-z0-9_.\-]+\.(md|text|textcard|news|card)\.hbs$/.test(entry)) {
        problems.push(`${full}: template files are named <base>.<md|text|textcard|news|card>.hbs`);
        continue;
      }
      files.set(entry, full);
    }
  }
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n').slice(0, 3).join(' ');
}
