import { z } from 'zod';
import type { Channel } from '../channels/channel';
import { formatPath } from '../config/format-path';
import { HttpError } from '../errors/http-error';
import type { TextNotification } from '../model/notification';
import { byteLength, truncateBytes } from '../render/bytes';
import { formatOf, MSGTYPES, type MessageFormat } from '../render/format';
import { pack } from '../render/packer';
import { routeAlert } from '../routing/router';
import type { RuntimeState } from '../runtime-state';

/**
 * Generic messages (`POST /api/v1/messages`, README "Generic messages"): validate the body, route it
 * like an alert with the pseudo-labels `source="api"` and `status="firing"` (unless `receiver` pins
 * it), and build one TextNotification per receiver, rendered with the `message` templates.
 *
 * A content too long for one message of the receiver's format is split on line boundaries (a single
 * longer line is cut at a UTF-8 boundary) into several notifications titled `标题 (1/3)`, each of which
 * fits one message, so nothing is truncated; they are queued in order and then delivered, rate
 * limited and coalesced like any notification.
 */
export const MAX_TITLE_CHARS = 128;
/** 64 KiB: at most ~16 markdown messages (~128 text/news parts) — more is a log file, not a message. */
export const MAX_CONTENT_BYTES = 65_536;

const ALL_MSGTYPES = [...new Set(Object.values(MSGTYPES).flat())] as [string, ...string[]];
const RESERVED_LABELS = new Set(['source', 'status']);

export const messageInputSchema = z.strictObject({
  title: z.string().trim().min(1, 'required: a non-empty title').max(MAX_TITLE_CHARS, `too long: at most ${MAX_TITLE_CHARS} characters`),
  content: z
    .string()
    .refine((value) => value.trim().length > 0, 'required: non-empty content')
    .refine((value) => byteLength(value) <= MAX_CONTENT_BYTES, `too long: at most ${MAX_CONTENT_BYTES} bytes`),
  severity: z.string().trim().min(1).max(32, 'too long: at most 32 characters').optional(),
  labels: z
    .record(
      z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'label names are letters, digits and "_", not starting with a digit').refine((name) => !RESERVED_LABELS.has(name), 'reserved: source and status are pseudo-labels set by the service'),
      z.string().max(1024, 'too long: at most 1024 characters'),
    )
    .default({}),
  receiver: z.string().min(1).optional(),
  msgtype: z.enum(ALL_MSGTYPES, { message: `must be one of ${ALL_MSGTYPES.join(', ')}` }).optional(),
  mention: z
    .strictObject({
      users: z.array(z.string().min(1)).optional(),
      mobiles: z.array(z.string().regex(/^\+?[0-9-]{5,20}$/, 'not a phone number')).optional(),
      all: z.boolean().optional(),
    })
    .optional(),
});

export type MessageInput = z.output<typeof messageInputSchema>;

/** parseMessageInput validates a parsed JSON body; throws HttpError 400 naming the field. */
export function parseMessageInput(body: unknown): MessageInput {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'expected a JSON object with title and content');
  const result = messageInputSchema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  let path = formatPath(issue.path);
  let reason = issue.message;
  if (issue.code === 'unrecognized_keys') {
    path = formatPath([...issue.path, issue.keys[0]]);
    reason = 'unknown field (allowed: title, content, severity, labels, receiver, msgtype, mention)';
  } else if (issue.code === 'invalid_key') {
    reason = issue.issues[0]?.message ?? reason;
  } else if (issue.code === 'invalid_type' && (issue as { input?: unknown }).input === undefined) {
    reason = 'required';
  }
  throw new HttpError(400, `invalid message: ${path ? `${path}: ` : ''}${reason}`, path || undefined);
}

/**
 * planMessage routes a validated message and builds its notifications (split when too long).
 * Unknown receiver → 404 naming `receiver`; a msgtype the receiver kind cannot send → 400 `msgtype`.
 */
export function planMessage(input: MessageInput, state: RuntimeState, now: number, source: TextNotification['source'] = 'api'): TextNotification[] {
  let receivers: string[];
  if (input.receiver !== undefined) {
    if (!state.channels.has(input.receiver)) throw new HttpError(404, `unknown receiver "${input.receiver}"; configured: ${[...state.channels.keys()].join(', ')}`, 'receiver');
    receivers = [input.receiver];
  } else {
    // Route templates are for alerts; messages always render with the `message` templates.
    // `source` is `api`, or the webhook source of a notice (a Kibana connector test routes like a Kibana alert).
    receivers = [...new Set(routeAlert(state.config.route, { ...input.labels, source, status: 'firing' }).map((target) => target.receiver))];
  }
  const createdAt = new Date(now).toISOString();
  const notifications: TextNotification[] = [];
  for (const receiver of receivers) {
    const channel = state.channels.get(receiver);
    if (!channel) continue; // validated config: routes name only configured receivers
    if (input.msgtype && !MSGTYPES[channel.kind].includes(input.msgtype)) {
      throw new HttpError(400, `invalid message: msgtype: "${input.msgtype}" cannot be sent to receiver "${receiver}" (${channel.kind}: ${MSGTYPES[channel.kind].join(', ')})`, 'msgtype');
    }
    const notification: TextNotification = {
      kind: 'message',
      source,
      receiver,
      template: 'message',
      title: input.title,
      content: input.content,
      ...(input.severity ? { severity: input.severity } : {}),
      labels: input.labels,
      ...(input.msgtype ? { msgtype: input.msgtype } : {}),
      ...(input.mention ? { mention: input.mention } : {}),
      createdAt,
    };
    notifications.push(...splitMessage(notification, channel, state, now));
  }
  return notifications;
}

/**
 * splitMessage returns the notification itself when it fits one message of its format, else parts
 * whose content is cut on line boundaries and whose title is numbered `(i/n)`. Each part is checked
 * by rendering it with the real template and packer; only the first part keeps the mention.
 */
export function splitMessage(notification: TextNotification, channel: Channel, state: RuntimeState, now: number): TextNotification[] {
  const format = formatOf(channel, notification);
  const fits = (candidate: TextNotification) => renders(candidate, format, channel, state, now).every((message) => !message.truncated);
  if (fits(notification)) return [notification];
  const overhead = renders({ ...notification, title: `${notification.title} (99/99)`, content: 'x' }, format, channel, state, now)[0].bytes - 1;
  let budget = format.limit - overhead - 4;
  let parts: TextNotification[] = [notification];
  for (let attempt = 0; attempt < 5 && budget >= 64; attempt++) {
    const chunks = chunkLines(notification.content, budget);
    const { mention, ...rest } = notification;
    parts = chunks.map((content, index) => ({ ...rest, title: `${notification.title} (${index + 1}/${chunks.length})`, content, ...(index === 0 && mention ? { mention } : {}) }));
    if (parts.every(fits)) return parts;
    budget = Math.floor(budget * 0.9);
  }
  return parts; // the packer truncates what still does not fit, visibly
}

function renders(notification: TextNotification, format: MessageFormat, channel: Channel, state: RuntimeState, now: number) {
  return pack([{ id: 'split', notification, offset: 0, partsSent: 0 }], { engine: state.engine, format, timezone: state.config.server.timezone, now, mention: channel.mention }).filter(
    (message) => !message.companion,
  );
}

/** chunkLines cuts text into chunks of at most `budget` bytes, on line boundaries where possible. */
export function chunkLines(text: string, budget: number): string[] {
  const chunks: string[] = [];
  let current = '';
  const flush = () => {
    if (current.trim().length > 0) chunks.push(current.replace(/^\n+|\n+$/g, ''));
    current = '';
  };
  for (let line of text.replace(/\r\n/g, '\n').split('\n')) {
    const joined = current === '' ? line : `${current}\n${line}`;
    if (byteLength(joined) <= budget) {
      current = joined;
      continue;
    }
    flush();
    while (byteLength(line) > budget) {
      const head = truncateBytes(line, budget, '') || String.fromCodePoint(line.codePointAt(0)!);
      chunks.push(head);
      line = line.slice(head.length);
    }
    current = line;
  }
  flush();
  return chunks;
}
