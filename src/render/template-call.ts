import type Handlebars from 'handlebars';

/**
 * Calling a compiled template the way Handlebars calls a partial. A top-level call
 * (`template(context, { data })`) first rebuilds the whole runtime: it wraps every registered helper
 * in a fresh closure (ours are ~30), copies the decorators and creates the prototype-access
 * policy — several microseconds and dozens of allocations per message, twice per packed message
 * (planning and final render). A partial call skips that and receives the runtime from its caller
 * instead. So the engine lets Handlebars build the runtime once, through its own top-level path,
 * captures it as a partial sees it, and passes it to every render: helpers, decorators, hooks and
 * the access policy are the very objects a top-level call would have built, and the data frame is
 * made as Handlebars makes it (`createFrame` + `root`).
 */
export interface TemplateRuntime {
  helpers: unknown;
  partials: unknown;
  decorators: unknown;
  hooks: unknown;
  protoAccessControl: unknown;
}

/** A compiled template as Handlebars returns it, called with runtime options. */
export type RuntimeTemplate = (context: unknown, options: Record<string, unknown>) => string;

/**
 * captureRuntime runs one top-level render whose only content is a partial that records its runtime.
 * Handlebars wraps every helper so that its options carry `lookupProperty`; of the built-ins only
 * `lookup` reads it, and `ownHelpers` (ours) never do, so all others are called unwrapped: the
 * wrapper rewrites `arguments` and copies the options on every helper call, and templates call a
 * helper per line.
 */
export function captureRuntime(hb: typeof Handlebars, ownHelpers: Record<string, unknown> = {}): TemplateRuntime {
  let captured: Record<string, unknown> | undefined;
  const probe = hb.compile('{{> runtime}}', { noEscape: true });
  const record = (_context: unknown, options: Record<string, unknown>) => {
    captured = options;
    return '';
  };
  probe({}, { partials: { runtime: record } } as unknown as Handlebars.RuntimeOptions);
  if (!captured) throw new Error('handlebars: could not capture the template runtime');
  return {
    // Built-ins unwrapped too, but for the one that reads `lookupProperty` (checked in handlebars'
    // helpers/: only lookup.js does). The wrapper copies the options of every `if` and `each` call.
    helpers: { ...(captured.helpers as Record<string, unknown>), ...unwrappedBuiltins(hb), ...ownHelpers },
    // The registered partials themselves (a top-level call without runtime partials uses exactly
    // these), not the probe's merged copy that holds the recorder.
    partials: hb.partials,
    decorators: captured.decorators,
    hooks: captured.hooks,
    protoAccessControl: captured.protoAccessControl,
  };
}

/** Built-in helpers that read `options.lookupProperty`, so keep Handlebars' wrapper. */
const READS_LOOKUP_PROPERTY = new Set(['lookup']);

function unwrappedBuiltins(hb: typeof Handlebars): Record<string, unknown> {
  return Object.fromEntries(Object.entries(hb.helpers).filter(([name]) => !READS_LOOKUP_PROPERTY.has(name)));
}

/** newFrame: the `@` data frame of a top-level render, as Handlebars makes it (`@root` = the context). */
export function newFrame(hb: typeof Handlebars, context: unknown, data: object): Record<string, unknown> {
  const frame = hb.createFrame(data) as Record<string, unknown>;
  frame.root = context;
  return frame;
}

/** callTemplate renders a compiled template with a captured runtime and a data frame (newFrame). */
export function callTemplate(template: RuntimeTemplate, runtime: TemplateRuntime, context: unknown, frame: Record<string, unknown>): string {
  const { helpers, partials, decorators, hooks, protoAccessControl } = runtime;
  return template(context, { helpers, partials, decorators, hooks, protoAccessControl, data: frame, partial: true });
}
