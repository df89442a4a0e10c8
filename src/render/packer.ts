import type { Notification } from '../model/notification';
import { itemCount } from '../model/notification';
import type { TemplateEngine } from './engine';
import type { MessageFormat } from './format';
import type { PartInfo } from './context';
import { ContextMemo } from './context-memo';
import { DEFAULT_MESSAGE_STYLE, type MessageStyle } from './message-style';
import type { PlanCache } from './plan-cache';
import type { PackedMessage, PackedSection } from './packed-message';
export type { PackedMessage, PackedSection } from './packed-message';
import { byteLength, truncateBytes, TRUNCATION_MARKER } from './bytes';
import { normalizeOutput, stripForPlainMarkdown } from './normalize';
import { cardFields, type CardFields } from './card';
import { companionFor, inlineMentionText, mentionFor, type Mention } from './mentions';

/**
 * The packer turns queued notifications for one receiver into as few WeCom messages as the byte
 * limit allows (SPEC §6): order is kept, every alert is kept, a notification that spans several
 * messages is numbered `(1/3)`, and only a single alert larger than a whole message is truncated,
 * with a visible marker. It renders with real templates and measures real bytes, so any user
 * template is packed correctly.
 */
export type { Mention } from './mentions';

export interface PackEntry {
  /** Outbox id (or any key) of the queued notification. */
  id: string;
  notification: Notification;
  /** Items (alerts) already delivered from this notification. */
  offset: number;
  /** Parts already delivered, so numbering continues (2/3) after a restart. */
  partsSent: number;
}

export interface PackOptions {
  engine: TemplateEngine;
  format: MessageFormat;
  timezone: string;
  now: number;
  mention?: Mention;
  /** Configured message style (`messages:`); the default style when absent. */
  style?: MessageStyle;
  /** Plan only this many messages (the rest of a notification is counted, for its part label). */
  maxMessages?: number;
  /** Remembers long notifications' part boundaries between calls (the worker keeps one). */
  planCache?: PlanCache;
}

const SEPARATOR = '\n\n';
/** Up to this many items, fitting the whole remainder is tried first (one render). */
const WHOLE_PROBE_LIMIT = 64;
/** Worst-case part label used while planning, so the final (shorter) label always fits. */
const PLANNING_PART: PartInfo = { index: 999, total: 999 };
/** A lone notification of at most this many items is first tried whole (wholeMessage). */
const WHOLE_MESSAGE_MAX_ITEMS = 25;

/** PackOptions plus what one pack() / planAhead() call shares between its renders. */
interface PackRun extends PackOptions {
  memo: ContextMemo;
  /** A section already rendered exactly as finalize will render it (wholeMessage), so it is not rendered twice. */
  prerendered?: { notification: Notification; start: number; end: number; index: number; total: number; compact: boolean; text: string };
}

/** runOf: a fresh memo per call, so nothing rendered for one call is served to another. */
function runOf(options: PackOptions): PackRun {
  return { ...options, memo: new ContextMemo(options.format.sanitize, options.style ?? DEFAULT_MESSAGE_STYLE) };
}

export function pack(entries: PackEntry[], packOptions: PackOptions): PackedMessage[] {
  const options = runOf(packOptions);
  const cache = options.planCache;
  if (cache) entries = entries.map((entry) => ({ ...entry, notification: cache.intern(entry.id, entry.notification) }));
  // Full layout while the queue fits one message; compact (one line per alert) once it does not,
  // or once a notification is already being delivered in parts, so numbering stays consistent.
  // The full layout is only probed for one message: planning a storm in full layout just to learn
  // that it does not fit would cost as much as the whole delivery.
  const resuming = entries.some((entry) => entry.partsSent > 0);
  if (!resuming && entries.length === 1) {
    const whole = wholeMessage(entries[0], options);
    if (whole) return finalize([whole], entries, options, planBudget(options), false, new Map());
  }
  if (!resuming) {
    const full = planMessages(entries, { ...options, maxMessages: 1 }, false, false);
    if (full.complete && full.messages.length <= 1) return finalize(full.messages, entries, options, full.budget, false, full.laterParts);
  }
  const compact = planMessages(entries, options, true, true);
  return finalize(compact.messages, entries, options, compact.budget, true, compact.laterParts);
}

interface PlannedMessage {
  sections: PackedSection[];
  truncated: boolean;
}

interface Plan {
  messages: PlannedMessage[];
  /** Every entry's items are in `messages`. */
  complete: boolean;
  budget: number;
  /** Parts of an entry planned beyond `maxMessages` (counted for `(1/N)`, not rendered). */
  laterParts: Map<string, number>;
}

/** Engine, format and layout: what a cached plan depends on. */
const engineIds = new WeakMap<object, number>();
let nextEngineId = 1;
function planKey(options: PackOptions, compact: boolean): string {
  let id = engineIds.get(options.engine);
  if (id === undefined) engineIds.set(options.engine, (id = nextEngineId++));
  return `${id}:${options.format.msgtype}:${options.format.variant}:${compact ? 'c' : 'f'}:${options.timezone}`;
}

function planMessages(entries: PackEntry[], options: PackRun, compact: boolean, countLater: boolean): Plan {
  const { format } = options;
  const planned: PlannedMessage[] = [];
  const laterParts = new Map<string, number>();
  let current: { sections: PackedSection[]; bytes: number; truncated: boolean } = { sections: [], bytes: 0, truncated: false };
  const budgetTotal = planBudget(options);
  const full = () => options.maxMessages !== undefined && planned.length >= options.maxMessages;
  const flush = () => {
    if (current.sections.length > 0) planned.push({ sections: current.sections, truncated: current.truncated });
    current = { sections: [], bytes: 0, truncated: false };
  };
  const sliceBytes = sliceMeter(options, compact);

  for (const entry of entries) {
    if (full()) return { messages: planned, complete: false, budget: budgetTotal, laterParts };
    const count = itemCount(entry.notification);
    let pos = entry.offset;
    while (pos < count) {
      if (full()) {
        // The rest of this notification goes in later messages: count them for its part label.
        if (countLater) laterParts.set(entry.id, remainingParts(entry, pos, options, compact, budgetTotal, sliceBytes));
        return { messages: planned, complete: false, budget: budgetTotal, laterParts };
      }
      const used = current.sections.length > 0 ? current.bytes + SEPARATOR.length : 0;
      const fit = largestFit(count - pos, (k) => sliceBytes(entry, pos, pos + k) <= budgetTotal - used);
      if (fit === 0) {
        if (current.sections.length > 0) {
          flush();
          continue;
        }
        // A single item larger than a whole message: keep it, truncated with a marker.
        current.sections.push({ id: entry.id, start: pos, end: pos + 1 });
        current.truncated = true;
        pos += 1;
        flush();
        continue;
      }
      current.sections.push({ id: entry.id, start: pos, end: pos + fit });
      current.bytes = used + sliceBytes(entry, pos, pos + fit);
      pos += fit;
      if (pos < count) flush();
    }
  }
  flush();
  return { messages: planned, complete: true, budget: budgetTotal, laterParts };
}

/**
 * wholeMessage: the one message of a lone notification that fits whole — the common case (one
 * webhook, low load). It is rendered once, as it will be sent (part 1 of 1), instead of once with
 * the longest possible part label to measure and once more to send. A notification whose final
 * text fits is sent whole even when the longest label would not have fitted (a few bytes under the
 * limit); any other goes through the planner.
 */
function wholeMessage(entry: PackEntry, options: PackRun): PlannedMessage | undefined {
  const end = itemCount(entry.notification);
  // More alerts than could fit in full layout (≥ ~150 B each): not worth a render to find out.
  if (entry.offset !== 0 || end > WHOLE_MESSAGE_MAX_ITEMS) return undefined;
  const text = renderSection(entry.notification, 0, end, { index: 1, total: 1 }, options, false);
  if (measure(text, options.format) > planBudget(options)) return undefined;
  options.prerendered = { notification: entry.notification, start: 0, end, index: 1, total: 1, compact: false, text };
  return { sections: [{ id: entry.id, start: 0, end }], truncated: false };
}

/** planBudget: bytes a message's sections may use (the limit less an inline mention's room). */
function planBudget(options: PackOptions): number {
  const inlineMention = inlineMentionText(options.format, options.mention);
  return options.format.limit - (inlineMention ? byteLength(inlineMention) + SEPARATOR.length : 0);
}

type SliceMeter = (entry: PackEntry, start: number, end: number) => number;

/**
 * sliceMeter measures rendered slices. Sizes of the current entry are kept by slice end: the slice
 * largestFit settles on was just measured, so it is not rendered again (rendering dominates).
 */
function sliceMeter(options: PackRun, compact: boolean): SliceMeter {
  let sizes = new Map<number, number>();
  let sizesFor: PackEntry | undefined;
  let sizesFrom = -1;
  return (entry, start, end) => {
    if (sizesFor !== entry || sizesFrom !== start) {
      sizes = new Map();
      sizesFor = entry;
      sizesFrom = start;
    }
    let bytes = sizes.get(end);
    if (bytes === undefined) {
      bytes = measure(renderSection(entry.notification, start, end, PLANNING_PART, options, compact), options.format);
      sizes.set(end, bytes);
    }
    return bytes;
  };
}

/**
 * remainingParts: how many messages items [pos, count) of an entry need, each part starting a fresh
 * message (as they will). Remembered in the PlanCache, so a long notification is planned once, not
 * once per message sent.
 */
function remainingParts(entry: PackEntry, pos: number, options: PackRun, compact: boolean, budget: number, sliceBytes: SliceMeter): number {
  const key = planKey(options, compact);
  const cached = options.planCache?.remaining(entry.id, key, pos);
  if (cached !== undefined) return cached;
  const count = itemCount(entry.notification);
  const ends: number[] = [];
  let hint: number | undefined;
  for (let at = pos; at < count; ) {
    const fit = Math.max(1, largestFit(count - at, (k) => sliceBytes(entry, at, at + k) <= budget, hint));
    hint = fit;
    at += fit;
    ends.push(at);
  }
  options.planCache?.store(entry.id, key, { from: pos, ends });
  return ends.length;
}

/**
 * planAhead plans a long notification's parts (from its offset) into options.planCache ahead of
 * pack(), `pause()`-ing whenever a stretch of planning has taken `sliceMs`: the first pack() of a
 * 10,000-alert notification would otherwise plan all its hundreds of parts in one synchronous call and hold
 * the event loop (health checks, webhooks, send timeouts) for a second or more. pack() then finds
 * the plan, as long as the notification starts the message (it does at the head of the queue);
 * otherwise it plans synchronously as before. Nothing to do without a cache or for a short remainder.
 */
export async function planAhead(entry: PackEntry, planOptions: PackOptions, pause: () => Promise<void>, sliceMs = 20): Promise<void> {
  const options = runOf(planOptions);
  const cache = options.planCache;
  if (!cache) return;
  entry = { ...entry, notification: cache.intern(entry.id, entry.notification) };
  const count = itemCount(entry.notification);
  if (count - entry.offset <= WHOLE_PROBE_LIMIT) return;
  const key = planKey(options, true);
  if (cache.remaining(entry.id, key, entry.offset) !== undefined) return;
  const budget = planBudget(options);
  const sliceBytes = sliceMeter(options, true);
  const ends: number[] = [];
  let hint: number | undefined;
  let sliceStart = performance.now();
  for (let at = entry.offset; at < count; ) {
    const from = at;
    const fit = Math.max(1, largestFit(count - from, (k) => sliceBytes(entry, from, from + k) <= budget, hint));
    hint = fit;
    at += fit;
    ends.push(at);
    if (performance.now() - sliceStart >= sliceMs) {
      await pause();
      sliceStart = performance.now();
    }
  }
  cache.store(entry.id, key, { from: entry.offset, ends });
}

/** largestFit finds the largest k in [0, max] with fits(k), assuming fits is monotone; few renders. */
function largestFit(max: number, fits: (k: number) => boolean, hint?: number): number {
  if (max <= 0) return 0;
  // Consecutive parts of a storm hold about as many alerts each: try the previous part's size
  // first (two renders when it is right, instead of a dozen).
  if (hint !== undefined && hint > 0 && hint < max) {
    if (fits(hint)) {
      if (!fits(hint + 1)) return hint;
    } else if (hint === 1 || fits(hint - 1)) {
      return hint - 1;
    }
  }
  // The common case at low load: the whole notification fits. For a large remainder, rendering it
  // whole just to learn it does not fit would make packing quadratic; probe upward instead.
  if (max <= WHOLE_PROBE_LIMIT && fits(max)) return max;
  let low = 0; // fits(low) holds (0 trivially)
  let high = max; // fits(high) fails
  let probe = 1;
  while (probe < high && fits(probe)) {
    low = probe;
    probe *= 2;
  }
  if (probe >= high) {
    if (max > WHOLE_PROBE_LIMIT && fits(max)) return max;
    probe = max;
  }
  high = Math.min(high, probe);
  while (high - low > 1) {
    const mid = (low + high) >> 1;
    if (fits(mid)) low = mid;
    else high = mid;
  }
  return low;
}

function finalize(planned: PlannedMessage[], entries: PackEntry[], options: PackRun, budget: number, compact: boolean, laterParts: Map<string, number>): PackedMessage[] {
  const byId = new Map(entries.map((entry) => [entry.id, entry]));
  const partsPlanned = new Map<string, number>();
  for (const message of planned) for (const section of message.sections) partsPlanned.set(section.id, (partsPlanned.get(section.id) ?? 0) + 1);
  for (const [id, later] of laterParts) partsPlanned.set(id, (partsPlanned.get(id) ?? 0) + later);
  const partIndex = new Map<string, number>();
  const out: PackedMessage[] = [];
  for (const message of planned) {
    const texts: string[] = [];
    let alertCount = 0;
    let firing = false;
    let first: PackEntry | undefined;
    for (const section of message.sections) {
      const entry = byId.get(section.id)!;
      first ??= entry;
      const index = (partIndex.get(section.id) ?? entry.partsSent) + 1;
      partIndex.set(section.id, index);
      const total = entry.partsSent + partsPlanned.get(section.id)!;
      section.part = { index, total };
      texts.push(renderSection(entry.notification, section.start, section.end, { index, total }, options, compact));
      if (entry.notification.kind === 'alerts') {
        const slice = entry.notification.alerts.slice(section.start, section.end);
        alertCount += slice.length;
        // A notification pages its people once: in its first part, and only if something fires.
        firing ||= index === 1 && entry.notification.alerts.some((alert) => alert.status === 'firing');
      } else {
        alertCount += 1;
        firing ||= Boolean(entry.notification.mention);
      }
    }
    let body = texts.join(options.format.variant === 'md' || options.format.variant === 'text' ? SEPARATOR : '\n');
    let title: string | undefined;
    if (options.format.titleLimit !== undefined) {
      const newline = body.indexOf('\n');
      title = truncateBytes(newline === -1 ? body : body.slice(0, newline), options.format.titleLimit);
      body = newline === -1 ? '' : body.slice(newline + 1).trim();
    }
    const over = byteLength(body) > budget;
    const truncated = message.truncated || over;
    if (over) body = truncateBytes(body, budget, TRUNCATION_MARKER);
    const mention = mentionFor(first?.notification, firing, options.mention);
    if (mention && options.format.mentions === 'inline' && mention.users.length > 0) body += SEPARATOR + mention.users.map((user) => `<@${user}>`).join(' ');
    const links = first?.notification.kind === 'alerts' ? first.notification.alerts[message.sections[0].start]?.links : undefined;
    out.push({
      msgtype: options.format.msgtype,
      content: body,
      title,
      url: links?.source ?? links?.dashboard ?? (first?.notification.kind === 'alerts' ? first.notification.externalURL : undefined),
      picurl: links?.image,
      card: options.format.variant === 'card' ? cardFields(message.sections.map((section) => ({ notification: byId.get(section.id)!.notification, start: section.start, end: section.end })), options.timezone, options.now) : undefined,
      mention: mention && options.format.mentions === 'fields' ? mention : undefined,
      sections: message.sections,
      alertCount,
      bytes: byteLength(body),
      truncated,
      companion: false,
    });
    const companion = mention ? companionFor(mention, options.format, alertCount) : undefined;
    if (companion) out.push(companion);
  }
  return out;
}

function renderSection(notification: Notification, start: number, end: number, part: PartInfo | null, options: PackRun, compact: boolean): string {
  const done = options.prerendered;
  if (done && done.notification === notification && done.start === start && done.end === end && done.compact === compact && part && done.index === part.index && done.total === part.total) return done.text;
  const context = options.memo.context(notification, start, end, part, compact);
  const text = normalizeOutput(options.engine.render(notification.template, options.format.variant, context, { now: options.now, timezone: options.timezone, style: options.style }, options.memo.session));
  return options.format.plainMarkdown ? stripForPlainMarkdown(text) : text;
}

/** measure: bytes of the limited field (for card formats, the description after the title line). */
function measure(text: string, format: MessageFormat): number {
  if (format.titleLimit === undefined) return byteLength(text);
  const newline = text.indexOf('\n');
  return newline === -1 ? 0 : byteLength(text.slice(newline + 1).trim());
}
