import { z } from 'zod';
import { duration, httpUrl, requireOneOf } from './schema-parts';

/**
 * Config of acting from WeCom (issue 19): an app receiver's `callback` block (WeCom's 接收消息
 * "API 接收" settings plus what a click may do), a route's `escalation` policy and the top-level
 * `oncall` rota. README "Acting from WeCom cards" documents every key.
 */
const labelName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a label name such as alertname or instance');
const AES_KEY = /^[A-Za-z0-9]{43}$/;

/** grafana: where silences of Grafana-managed alerts go (Alertmanager-compatible API, service-account token). */
const grafanaSilences = z
  .strictObject({
    url: httpUrl,
    token: z.string().optional(),
    token_file: z.string().optional(),
  })
  .superRefine((grafana, ctx) => requireOneOf(grafana, ['token', 'token_file'], ctx));

export const callbackSchema = z
  .strictObject({
    /** 接收消息 → Token: 3–32 letters or digits. */
    token: z.string().regex(/^[A-Za-z0-9]{3,32}$/, 'the Token from the admin console: 3 to 32 letters or digits').optional(),
    token_file: z.string().optional(),
    /** 接收消息 → EncodingAESKey: 43 letters or digits. */
    encoding_aes_key: z.string().regex(AES_KEY, 'the EncodingAESKey from the admin console: 43 letters or digits').optional(),
    encoding_aes_key_file: z.string().optional(),
    /** Requests whose `timestamp` is further than this from now are refused (replays). */
    timestamp_window: duration.default(300_000),
    /** WeCom userids allowed to act; empty: any member of the corp who can see the card. */
    allow_users: z.array(z.string().min(1)).default([]),
    /** The silence buttons (at most 4; a card has at most 6 buttons). */
    silence_durations: z.array(duration).min(1).max(4).default([3_600_000, 14_400_000, 86_400_000]),
    /** Label names the silence matches on; empty: every label of the alert. */
    silence_matchers: z.array(labelName).default([]),
    /** Alertmanager that receives silences; default: the payload's externalURL. */
    alertmanager_url: httpUrl.optional(),
    grafana: grafanaSilences.optional(),
    /** Optional receiver (e.g. a group robot) told about each action: "张三 认领了 DiskFull · prod-gz". */
    notify: z.string().min(1).optional(),
  })
  .superRefine((callback, ctx) => {
    requireOneOf(callback, ['token', 'token_file'], ctx);
    requireOneOf(callback, ['encoding_aes_key', 'encoding_aes_key_file'], ctx);
  });

/** isEncodingAesKey: the 43-character EncodingAESKey shape (checked again after `*_file` is read). */
export function isEncodingAesKey(value: string): boolean {
  return AES_KEY.test(value);
}

export type CallbackConfig = z.output<typeof callbackSchema>;

/** One escalation step: notify another receiver, and/or mention the current on-call member of a rota. */
const escalationStep = z
  .strictObject({
    receiver: z.string().min(1).optional(),
    /** Name of an `oncall` rota whose current member is mentioned. */
    oncall: z.string().min(1).optional(),
    /** Wait before this step; default: the policy's `after`. */
    after: duration.optional(),
  })
  .superRefine((step, ctx) => {
    if (!step.receiver && !step.oncall) ctx.addIssue({ code: 'custom', path: ['receiver'], message: 'required (set receiver, oncall or both)' });
  });

/**
 * escalation (per route): a firing alert at or above `severity` that nobody acknowledged on its
 * card within `after` goes to the next step; up to `steps.length` steps; stops on ack, silence or
 * resolve. It needs the route's receiver to be an interactive app receiver (acks come from cards).
 */
export const escalationSchema = z.strictObject({
  /** Lowest severity that escalates (critical, warning, info…); default: every alert. */
  severity: z.string().min(1).optional(),
  after: duration.default(600_000),
  steps: z.array(escalationStep).min(1).max(10),
  /** Where an on-call-only step is sent; default: the card's own receiver. */
  receiver: z.string().min(1).optional(),
});

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day as HH:MM, e.g. 09:00');
const localDate = z.string().regex(/^\d{4}-\d\d-\d\d$/, 'a date as YYYY-MM-DD');
const localDateTime = z.string().regex(/^\d{4}-\d\d-\d\d[T ]\d\d:\d\d$/, 'a local date and time as YYYY-MM-DDTHH:MM');

/**
 * oncall: named rotas. `members[0]` is on call from `start` at `handoff`; the next member takes
 * over at each handoff (daily, or weekly on `weekday`), all in server.timezone. Overrides (a
 * swap, a holiday) win while they last.
 */
export const oncallSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.\-]+$/, 'only letters, digits, "_", "-" and "."'),
  /** WeCom userids, in rotation order. */
  members: z.array(z.string().min(1)).min(1),
  start: localDate,
  handoff: clock.default('09:00'),
  /** Weekly rotation on this weekday; omitted: daily. */
  weekday: z.enum(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']).optional(),
  overrides: z.array(z.strictObject({ member: z.string().min(1), from: localDateTime, to: localDateTime })).default([]),
});

export type EscalationConfig = z.output<typeof escalationSchema>;
export type OncallConfig = z.output<typeof oncallSchema>;
