import { z } from 'zod';
import { Cron } from 'croner';
import { byteSize, duration, httpUrl, matcherList, timezone } from './schema-parts';
import { receiverSchema } from './receivers-schema';
import { routeSchema, type RouteConfig } from './route-schema';

/**
 * The configuration schema (SPEC §4). It is the single source of truth: it validates, applies
 * defaults, and `Config` is inferred from it. Unknown keys are errors (strict objects), so a typo
 * never silently turns into a default.
 */
const basicAuth = z
  .strictObject({
    username: z.string().min(1),
    password: z.string().optional(),
    password_file: z.string().optional(),
  })
  .superRefine((basic, ctx) => {
    if (!basic.password && !basic.password_file) ctx.addIssue({ code: 'custom', path: ['password'], message: 'required (or password_file)' });
  });

const authSchema = z.strictObject({
  /** Accepted bearer tokens; several allow rotation without downtime. */
  bearer_tokens: z.array(z.string().min(8, 'too short: use at least 8 characters')).default([]),
  bearer_tokens_file: z.string().optional(),
  basic: basicAuth.optional(),
  /** Also require credentials on /metrics (default: open, as Prometheus scrapes usually are). */
  protect_metrics: z.boolean().default(false),
  /** Also require credentials on /healthz and /readyz (default: open for probes). */
  protect_health: z.boolean().default(false),
});

const serverSchema = z
  .strictObject({
    listen: z.string().regex(/^(\[[0-9a-fA-F:]+\]|[^:\s]*):\d{1,5}$/, 'use HOST:PORT, e.g. 0.0.0.0:8090').default('0.0.0.0:8090'),
    body_limit: byteSize.default(1024 * 1024),
    timezone: timezone.default('Asia/Shanghai'),
    auth: authSchema.optional(),
    /** The web console at /ui. */
    ui: z.boolean().default(true),
    log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Slowest a client may be to send its request (headers and body). */
    request_timeout: duration.default(30_000),
    /** Public URL of this service, used for links back to it (web console). */
    external_url: httpUrl.optional(),
  })
  .prefault({});

const wecomSchema = z
  .strictObject({
    api_base: httpUrl.default('https://qyapi.weixin.qq.com'),
    /** HTTP(S) proxy for calls to WeCom; falls back to HTTPS_PROXY / https_proxy. */
    proxy: httpUrl.optional(),
    timeout: duration.default(10_000),
  })
  .prefault({});

const storageSchema = z
  .strictObject({
    path: z.string().min(1).default('./data'),
    redis: z
      .strictObject({
        url: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://'),
        key_prefix: z.string().default('wecom-adapter:'),
        /** How long a replica holds claimed work before another may take it over. */
        lease: duration.default(30_000),
      })
      .optional(),
  })
  .prefault({});

const deliverySchema = z
  .strictObject({
    /** The same notification (HA Alertmanager pairs) within this window is delivered once. */
    dedup_window: duration.default(60_000),
    retry: z
      .strictObject({
        initial_backoff: duration.default(1_000),
        max_backoff: duration.default(300_000),
        /** A message still failing after this long goes to dead letters. */
        max_age: duration.default(3_600_000),
        /** Wait after WeCom answered 45009 (rate limited); WeCom lifts the block after a minute. */
        rate_limited_backoff: duration.default(60_000),
      })
      .prefault({}),
    /** On SIGTERM, how long in-flight sends may take before the process exits. */
    shutdown_grace: duration.default(10_000),
    /** How long delivered alerts are kept for digests and the web console. */
    history_retention: duration.default(7 * 86_400_000),
  })
  .prefault({});

const digestSchema = z
  .strictObject({
    name: z.string().min(1),
    receiver: z.string().min(1),
    schedule: z.string().refine(
      (expr) => {
        try {
          new Cron(expr, { paused: true });
          return true;
        } catch {
          return false;
        }
      },
      { message: 'invalid cron expression (e.g. "0 * * * *" hourly, "0 9 * * 1-5" workdays at 9:00)' },
    ),
    /** Period summarized; default: the time since the previous scheduled run. */
    period: duration.optional(),
    matchers: matcherList.default([]),
    template: z.string().default('digest'),
    send_empty: z.boolean().default(false),
  });

export const configSchema = z
  .strictObject({
    server: serverSchema,
    wecom: wecomSchema,
    storage: storageSchema,
    delivery: deliverySchema,
    /** Directory whose files override the built-in templates by file name. */
    templates: z.string().min(1).optional(),
    receivers: z.array(receiverSchema).min(1, 'at least one receiver is required'),
    route: routeSchema,
    digests: z.array(digestSchema).default([]),
  })
  .superRefine((config, ctx) => {
    const names = new Map<string, number>();
    config.receivers.forEach((receiver, index) => {
      if (names.has(receiver.name)) {
        ctx.addIssue({ code: 'custom', path: ['receivers', index, 'name'], message: `duplicate receiver name "${receiver.name}" (also receivers[${names.get(receiver.name)}])` });
      }
      names.set(receiver.name, index);
    });
    const known = (name: string) => names.has(name);
    if (!config.route.receiver && !config.route.receivers) {
      ctx.addIssue({ code: 'custom', path: ['route', 'receiver'], message: 'required: the default receiver' });
    }
    checkRouteReceivers(config.route, ['route'], known, ctx);
    const digestNames = new Set<string>();
    config.digests.forEach((digest, index) => {
      if (!known(digest.receiver)) ctx.addIssue({ code: 'custom', path: ['digests', index, 'receiver'], message: `unknown receiver "${digest.receiver}"` });
      if (digestNames.has(digest.name)) ctx.addIssue({ code: 'custom', path: ['digests', index, 'name'], message: `duplicate digest name "${digest.name}"` });
      digestNames.add(digest.name);
    });
  });

function checkRouteReceivers(route: RouteConfig, path: (string | number)[], known: (name: string) => boolean, ctx: z.RefinementCtx): void {
  if (route.receiver && !known(route.receiver)) {
    ctx.addIssue({ code: 'custom', path: [...path, 'receiver'], message: `unknown receiver "${route.receiver}"` });
  }
  route.receivers?.forEach((name, index) => {
    if (!known(name)) ctx.addIssue({ code: 'custom', path: [...path, 'receivers', index], message: `unknown receiver "${name}"` });
  });
  route.routes.forEach((child, index) => checkRouteReceivers(child, [...path, 'routes', index], known, ctx));
}

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type DigestConfig = Config['digests'][number];
export type { RouteConfig };
export type { ReceiverConfig, RobotConfig, AppConfig, ConsoleConfig, ReceiverKind } from './receivers-schema';
