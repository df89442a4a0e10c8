import { renameSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { RouteConfig } from '../config/schema';
import { templateProblems } from '../config/template-check';
import { HttpError } from '../http/errors';
import { previewPayload, type Preview } from '../pipeline/preview';
import { TemplateEngine, TemplateLoadError } from '../render/engine';
import type { RuntimeState } from '../runtime-state';
import type { Service } from '../service';
import { uiSettings } from './settings';
import { parsePlaygroundPayload } from './playground';
import { userTemplatesDir, validTemplateName, withOverlay } from './template-files';

/**
 * The console's template editor: a live preview of an edited template (not saved) and, when
 * `server.ui.edit_templates` allows it, saving it into the `templates` directory. Both compile the
 * whole template set as it would be after the change (overrides + the edited file) with the
 * engine `check` uses, so what previews is what would load; saving also runs check's template
 * problems (every receiver × source template present), writes the file atomically (temp file +
 * rename), then reloads the service.
 */
export interface TemplateError {
  message: string;
  /** 1-based line in the edited file, when the error names one. */
  line?: number;
}

export interface EditorPreview {
  errors: TemplateError[];
  preview?: Preview;
  capped?: { previewed: number; total: number };
}

/** compileOverlay loads the engine with the edited file; errors of the edited file come first, with lines. */
function compileOverlay(state: RuntimeState, name: string, text: string): { engine?: TemplateEngine; errors: TemplateError[] } {
  return withOverlay(state, name, text, (dir, edited) => {
    try {
      return { engine: TemplateEngine.load({ userDir: dir }), errors: [] };
    } catch (err) {
      if (!(err instanceof TemplateLoadError)) throw err;
      const errors = err.problems.map((problem) => {
        const own = problem.startsWith(edited);
        const line = /line (\d+)/i.exec(problem)?.[1];
        return { own, message: problem.split(dir).join('templates'), line: own && line ? Number(line) : undefined };
      });
      return { errors: errors.sort((a, b) => Number(b.own) - Number(a.own)).map(({ message, line }) => ({ message, line })) };
    }
  });
}

/** forceTemplate makes every route use `base`, so the preview shows the edited template (routing kept). */
function forceTemplate(route: RouteConfig, base: string): RouteConfig {
  return { ...route, template: base, routes: route.routes.map((child) => forceTemplate(child, base)) };
}

export function previewTemplate(service: Service, request: unknown): EditorPreview {
  const input = (request ?? {}) as Record<string, unknown>;
  const name = typeof input.name === 'string' ? input.name : '';
  if (!validTemplateName(name)) throw new HttpError(400, 'name must be a template file such as alertmanager.md.hbs or _partials/md_alert.hbs', 'name');
  if (typeof input.text !== 'string') throw new HttpError(400, 'text must be the template source', 'text');
  const state = service.current;
  const { engine, errors } = compileOverlay(state, name, input.text);
  if (!engine) return { errors };
  const { body, capped } = parsePlaygroundPayload(state, input);
  const base = name.startsWith('_partials/') ? undefined : name.replace(/\.[a-z]+\.hbs$/, '');
  const routed = base && !['alertmanager', 'grafana', 'kibana'].includes(base) ? { ...state.config, route: forceTemplate(state.config.route, base) } : state.config;
  try {
    const preview = previewPayload({ ...state, engine, config: routed }, String(input.source), body, service.clock(), typeof input.receiver === 'string' && input.receiver ? input.receiver : undefined);
    return { errors: [], preview, capped };
  } catch (err) {
    if (err instanceof HttpError) throw err;
    const message = (err as Error).message;
    const line = /line (\d+)/i.exec(message)?.[1];
    return { errors: [{ message: `render: ${message}`, line: line ? Number(line) : undefined }] };
  }
}

export function saveTemplate(service: Service, name: string, request: unknown): { saved: string; reloaded: boolean } {
  const state = service.current;
  if (!uiSettings(state.config).editTemplates) throw new HttpError(403, 'saving templates is off (server.ui.edit_templates: false); download the file instead');
  const dir = userTemplatesDir(state);
  if (!dir) throw new HttpError(409, 'no templates directory is configured (set `templates:` in the config) to save into');
  if (!validTemplateName(name)) throw new HttpError(400, 'name must be a template file such as alertmanager.md.hbs or _partials/md_alert.hbs', 'name');
  const text = (request as Record<string, unknown> | undefined)?.text;
  if (typeof text !== 'string') throw new HttpError(400, 'text must be the template source', 'text');
  const { engine, errors } = compileOverlay(state, name, text);
  const problems = engine ? templateProblems(state.config, engine, 'templates') : [];
  if (!engine || problems.length > 0) throw new HttpError(422, 'the template does not pass check; nothing was saved', undefined, { errors: engine ? problems.map((message) => ({ message })) : errors });
  const target = join(dir, name);
  mkdirSync(dirname(target), { recursive: true });
  const temporary = `${target}.tmp-${randomBytes(6).toString('hex')}`;
  writeFileSync(temporary, text);
  renameSync(temporary, target);
  service.reload();
  return { saved: name, reloaded: true };
}
