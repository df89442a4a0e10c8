import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * WatcherSimulator executes a watch definition the way Elasticsearch Watcher does for the parts our
 * published watches use, and renders each webhook action's body exactly as Watcher would, so tests
 * post the bytes Watcher puts on the wire. Sources (elastic/elasticsearch):
 * - x-pack/plugin/watcher/.../support/Variables.java: the template context `ctx.id`
 *   (`<watch_id>_<uuid>-<execution time>`), `ctx.watch_id`, `ctx.execution_time`,
 *   `ctx.trigger.triggered_time` / `scheduled_time`, `ctx.metadata`, `ctx.payload`;
 * - TextTemplateEngine.java / CustomMustacheFactory.java: webhook bodies are `text/plain`, so
 *   `{{ctx.x}}` is inserted raw (no JSON escaping); `{{#toJson}}x{{/toJson}}` renders compact JSON,
 *   and null as nothing;
 * - dates print with java.time's toString (`2025-03-18T02:15Z` when the seconds are zero,
 *   payloads.md §4.1);
 * - actions run when their action-level `condition` holds (`compare` with gt/gte/lt/lte/eq), and
 *   an action executed within its `throttle_period` is throttled (not sent).
 * Watch definitions come from the repo (examples/watcher/), which README publishes.
 */
export interface WatchAction {
  condition?: { compare?: Record<string, Partial<Record<'gt' | 'gte' | 'lt' | 'lte' | 'eq', number>>>; always?: Record<string, never> };
  throttle_period?: string;
  webhook: { method: string; url: string; headers?: Record<string, string>; body: string };
}

export interface WatchDefinition {
  metadata?: Record<string, unknown>;
  actions: Record<string, WatchAction>;
}

export interface WatcherRequest {
  action: string;
  /** The rendered body, byte for byte. */
  body: string;
}

export const EXAMPLES_DIR = join(__dirname, '..', '..', 'examples', 'watcher');

/** loadWatch reads a published watch definition from examples/watcher/. */
export function loadWatch(file: string): WatchDefinition {
  return JSON.parse(readFileSync(join(EXAMPLES_DIR, file), 'utf8')) as WatchDefinition;
}

export class WatcherSimulator {
  private readonly lastExecuted = new Map<string, number>();
  private runs = 0;

  constructor(
    private readonly watch: WatchDefinition,
    private readonly watchId: string,
  ) {}

  /** run executes the watch once at `at` with a search result of `hitsTotal` hits; returns what its actions send. */
  run(at: Date, hitsTotal: number): WatcherRequest[] {
    this.runs++;
    const triggered = new Date(at.getTime() + 3);
    const executed = new Date(at.getTime() + 11);
    const ctx = {
      id: `${this.watchId}_${this.runs.toString(16).padStart(8, '0')}-5b7d-4e21-9c0a-7d2b8e6f4a10-${javaInstant(executed)}`,
      watch_id: this.watchId,
      execution_time: javaInstant(executed),
      trigger: { triggered_time: javaInstant(triggered), scheduled_time: javaInstant(at) },
      metadata: this.watch.metadata ?? null,
      payload: { _shards: { total: 1, failed: 0, successful: 1, skipped: 0 }, hits: { hits: [], total: hitsTotal, max_score: null }, took: 3, timed_out: false },
    };
    const sent: WatcherRequest[] = [];
    for (const [name, action] of Object.entries(this.watch.actions)) {
      if (!conditionHolds(action.condition, ctx)) continue;
      const last = this.lastExecuted.get(name);
      if (action.throttle_period && last !== undefined && at.getTime() - last < durationMs(action.throttle_period)) continue;
      this.lastExecuted.set(name, at.getTime());
      sent.push({ action: name, body: renderBody(action.webhook.body, ctx) });
    }
    return sent;
  }
}

/** renderBody renders a Watcher webhook body template (text/plain: raw values, toJson for objects). */
export function renderBody(template: string, ctx: Record<string, unknown>): string {
  return template
    .replace(/\{\{#toJson\}\}([\w.]+)\{\{\/toJson\}\}/g, (_all, path: string) => {
      const value = lookup({ ctx }, path);
      return value === null || value === undefined ? '' : JSON.stringify(value);
    })
    .replace(/\{\{([\w.]+)\}\}/g, (_all, path: string) => {
      const value = lookup({ ctx }, path);
      return value === null || value === undefined ? '' : String(value);
    });
}

function lookup(root: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), root);
}

function conditionHolds(condition: WatchAction['condition'], ctx: Record<string, unknown>): boolean {
  if (!condition || condition.always) return true;
  return Object.entries(condition.compare ?? {}).every(([path, ops]) => {
    const value = Number(lookup({ ctx }, path));
    return Object.entries(ops).every(([op, limit]) => {
      if (op === 'gt') return value > limit!;
      if (op === 'gte') return value >= limit!;
      if (op === 'lt') return value < limit!;
      if (op === 'lte') return value <= limit!;
      return value === limit;
    });
  });
}

/** javaInstant prints an instant like java.time's toString: seconds and fraction only when non-zero. */
export function javaInstant(date: Date): string {
  const iso = date.toISOString();
  const ms = date.getUTCMilliseconds();
  const seconds = date.getUTCSeconds();
  if (ms === 0 && seconds === 0) return `${iso.slice(0, 16)}Z`;
  if (ms === 0) return `${iso.slice(0, 19)}Z`;
  return iso;
}

function durationMs(text: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text);
  if (!match) throw new Error(`unsupported throttle_period ${text}`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}
