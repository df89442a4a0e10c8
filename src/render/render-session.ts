/**
 * RenderSession lets the renders of one pack() call share partial results. The packer renders each
 * slice twice — once to measure it with the worst-case part label `(999/999)`, once for real — and
 * the two renders differ only in the part fields (`part`, `partLabel`, `firstPart`, `lastPart`),
 * which the shared context serves through accessors that count their reads (part-fields.ts).
 * A partial called directly on a session's context and data frame, whose run read none of those
 * fields, saw exactly the same inputs the second time (views and values do not change during a
 * call), so its output is reused: for the built-in templates that is the alert list, the bulk of a
 * message, while the header (which shows the part label) is rendered again. Partials called with a
 * hash, a block, depths or another data frame (inside `each`) always run.
 */
export class RenderSession {
  /** Reads of part-dependent fields so far; a partial whose run changed it is not reused. */
  partReads = 0;
  private readonly frames = new WeakMap<object, Record<string, unknown>>();
  private readonly results = new WeakMap<object, Map<object, Map<string, string>>>();

  /** frameFor: the one data frame of a root context (`@root` = the context), made as Handlebars makes it. */
  frameFor(context: object, makeFrame: () => Record<string, unknown>): Record<string, unknown> {
    let frame = this.frames.get(context);
    if (!frame) this.frames.set(context, (frame = makeFrame()));
    return frame;
  }

  /** isSessionFrame: the data is a frame this session made (a partial called at a template's top level). */
  isSessionFrame(data: unknown): data is Record<string, unknown> {
    return typeof data === 'object' && data !== null && this.frames.get((data as Record<string, unknown>).root as object) === data;
  }

  /** reused: the output a partial gave for this context and frame, if it read no part field. */
  reused(frame: object, context: object, partial: string): string | undefined {
    return this.results.get(frame)?.get(context)?.get(partial);
  }

  /** remember stores a partial's output for this context and frame (call only when it read no part field). */
  remember(frame: object, context: object, partial: string, output: string): void {
    let byContext = this.results.get(frame);
    if (!byContext) this.results.set(frame, (byContext = new Map()));
    let byPartial = byContext.get(context);
    if (!byPartial) byContext.set(context, (byPartial = new Map()));
    byPartial.set(partial, output);
  }
}

/** The options Handlebars passes to a function partial (the fields that decide whether it may be reused). */
export interface PartialCallOptions {
  data?: unknown;
  hash?: Record<string, unknown>;
  fn?: unknown;
  depths?: unknown;
}

/**
 * sessionPartial wraps a compiled partial: within a session it reuses the output of an earlier run
 * with the same context and frame that read no part field (see RenderSession), else it runs it.
 */
export function sessionPartial(name: string, compiled: (context: unknown, options: PartialCallOptions) => string, current: () => RenderSession | undefined) {
  return (context: unknown, options: PartialCallOptions): string => {
    const session = current();
    const reusable =
      session !== undefined &&
      typeof context === 'object' &&
      context !== null &&
      !options.fn &&
      options.depths === undefined &&
      (options.hash === undefined || Object.keys(options.hash).length === 0) &&
      session.isSessionFrame(options.data);
    if (!reusable) return compiled(context, options);
    const frame = options.data as object;
    const earlier = session.reused(frame, context, name);
    if (earlier !== undefined) return earlier;
    const readsBefore = session.partReads;
    const output = compiled(context, options);
    if (session.partReads === readsBefore) session.remember(frame, context, name, output);
    return output;
  };
}
