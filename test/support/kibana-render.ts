import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Mustache from 'mustache';

/**
 * Renders a Kibana webhook connector body the way Kibana's action executor does (elastic/kibana
 * `x-pack/platform/plugins/shared/actions/server/lib/mustache_renderer.ts`, `renderMustacheString`
 * with escape `json`), with the real mustache.js:
 * - variables are deep-cloned through JSON, and every plain object gets a `toString` that returns
 *   its JSON (so `{{context}}` renders the whole context as JSON text);
 * - keys with dots become nested objects (`host.name` → `host: {name}`);
 * - every `{{value}}` is JSON-escaped without the outer quotes, a missing one renders `""`;
 * - arrays print as mustache prints them (`a,b,c`) and are iterated by sections.
 * Written from that description, not copied.
 */
export const KIBANA_EXAMPLES = join(__dirname, '../../examples/kibana');

/** readBodyTemplate reads a published body template (`kibana-webhook-body.mustache`, `…-v1.mustache`). */
export function readBodyTemplate(name: string): string {
  return readFileSync(join(KIBANA_EXAMPLES, name), 'utf8');
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function undot(object: Record<string, unknown>): void {
  for (const key of Object.keys(object)) {
    const value = object[key];
    if (key.includes('.')) {
      const parts = key.split('.');
      let target = object;
      for (const part of parts.slice(0, -1)) {
        if (typeof target[part] !== 'object' || target[part] === null) target[part] = {};
        target = target[part] as Record<string, unknown>;
      }
      target[parts[parts.length - 1]] = value;
    }
    if (typeof value === 'object' && value !== null) undot(value as Record<string, unknown>);
  }
}

function addToString(value: unknown): void {
  if (Array.isArray(value)) {
    value.forEach(addToString);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const object = value as Record<string, unknown>;
  Object.values(object).forEach(addToString);
  Object.defineProperty(object, 'toString', { value: () => JSON.stringify(object), enumerable: false });
}

function escapeJson(value: unknown): string {
  if (value === null || value === undefined) return '';
  const quoted = JSON.stringify(String(value));
  return quoted.slice(1, -1);
}

/** renderKibanaBody renders a webhook body template with the action variables, as Kibana sends it. */
export function renderKibanaBody(template: string, variables: Record<string, Json>): string {
  const augmented = JSON.parse(JSON.stringify(variables)) as Record<string, unknown>;
  undot(augmented);
  addToString(augmented);
  const previous = Mustache.escape;
  Mustache.escape = escapeJson;
  try {
    return Mustache.render(template, augmented);
  } finally {
    Mustache.escape = previous;
  }
}
