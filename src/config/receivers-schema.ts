import { z } from 'zod';
import { duration, httpUrl, rateLimit, recipients, requireOneOf } from './schema-parts';
import { callbackSchema } from './interactive-schema';

/** Mention settings: user ids, mobiles, @all. Applied to messages that contain firing alerts. */
const mention = z
  .strictObject({
    users: z.array(z.string().min(1)).default([]),
    mobiles: z.array(z.string().min(1)).default([]),
    all: z.boolean().default(false),
  })
  .prefault({});

/** robot: a WeCom group robot (群机器人), by `key`, full `url`, or their `*_file` variants. */
export const robotSchema = z
  .strictObject({
    key: z.string().optional(),
    key_file: z.string().optional(),
    url: httpUrl.optional(),
    url_file: z.string().optional(),
    msgtype: z.enum(['markdown', 'markdown_v2', 'text', 'news', 'template_card']).default('markdown'),
    mention,
    rate_limit: rateLimit,
  })
  .superRefine((robot, ctx) => requireOneOf(robot, ['key', 'key_file', 'url', 'url_file'], ctx));

/** app: a WeCom self-built application (自建应用) sending application messages. */
export const appSchema = z
  .strictObject({
    corp_id: z.string().min(1),
    secret: z.string().optional(),
    secret_file: z.string().optional(),
    agent_id: z.union([z.number().int().positive(), z.string().regex(/^\d+$/, 'must be a number').transform(Number)]),
    to_user: recipients.optional(),
    to_party: recipients.optional(),
    to_tag: recipients.optional(),
    /** template_card: interactive button_interaction cards (acknowledge, silence); needs `callback`. */
    msgtype: z.enum(['markdown', 'text', 'textcard', 'template_card']).default('markdown'),
    /** WeCom's callback (接收消息 → API 接收): enables /wecom/callback/{receiver}. */
    callback: callbackSchema.optional(),
    safe: z.union([z.boolean(), z.literal(0), z.literal(1)]).transform(Boolean).default(false),
    enable_duplicate_check: z.boolean().default(false),
    duplicate_check_interval: duration.default(1_800_000),
    /** Button text of textcard messages (≤ 4 characters). */
    btntxt: z.string().max(4).default('详情'),
    /** Optional cap on messages per window; WeCom allows 30/min per member. */
    rate_limit: z.strictObject({ count: z.number().int().positive(), per: duration }).optional(),
  })
  .superRefine((app, ctx) => {
    requireOneOf(app, ['secret', 'secret_file'], ctx);
    if (!app.to_user && !app.to_party && !app.to_tag) {
      ctx.addIssue({ code: 'custom', path: ['to_user'], message: 'required (set at least one of: to_user, to_party, to_tag)' });
    }
    if (app.msgtype === 'template_card' && !app.callback) {
      ctx.addIssue({ code: 'custom', path: ['callback'], message: 'required with msgtype template_card: the buttons act through WeCom\'s callback (token, encoding_aes_key)' });
    }
    if (app.duplicate_check_interval > 4 * 3_600_000) {
      ctx.addIssue({ code: 'custom', path: ['duplicate_check_interval'], message: 'at most 4h (WeCom limit)' });
    }
  });

/** console: prints the rendered message to stdout (embedded default, trying things out). */
export const consoleSchema = z.strictObject({ msgtype: z.enum(['markdown', 'text']).default('markdown') });

export const receiverSchema = z
  .strictObject({
    name: z.string().min(1).regex(/^[A-Za-z0-9_.\-]+$/, 'only letters, digits, "_", "-" and "." (it appears in URLs and metric labels)'),
    robot: robotSchema.optional(),
    app: appSchema.optional(),
    console: z.union([consoleSchema, z.null().transform(() => consoleSchema.parse({}))]).optional(),
  })
  .superRefine((receiver, ctx) => {
    const kinds = (['robot', 'app', 'console'] as const).filter((kind) => receiver[kind] !== undefined);
    if (kinds.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: kinds.length === 0 ? [] : [kinds[1]],
        message: kinds.length === 0 ? 'needs exactly one of: robot, app, console' : `set only one of robot, app, console (found ${kinds.join(', ')})`,
      });
    }
  });

export type RobotConfig = z.output<typeof robotSchema>;
export type AppConfig = z.output<typeof appSchema>;
export type ConsoleConfig = z.output<typeof consoleSchema>;
export type ReceiverConfig = z.output<typeof receiverSchema>;
export type ReceiverKind = 'robot' | 'app' | 'console';

/** receiverKind tells which of the kinds a (validated) receiver is. */
export function receiverKind(receiver: ReceiverConfig): ReceiverKind {
  if (receiver.robot) return 'robot';
  if (receiver.app) return 'app';
  return 'console';
}
