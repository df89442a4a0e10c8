import { z } from 'zod';
import { Cron } from 'croner';
import { byteSize, duration, httpUrl, matcherList, timezone } from './schema-parts';
import { receiverSchema } from './receivers-schema';
import { routeSchema, type RouteConfig } from './route-schema';
import { oncallSchema } from './interactive-schema';
import { allowedOrigins, authThrottle, trustedProxies } from './security-schema';
import { messagesSchema } from './messages-schema';

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
  /** Failed-login throttle per client address (429 with Retry-After). */
  throttle: authThrottle,
});

/** KIBANA_BODY_LIMIT_MAX: the most `server.kibana_body_limit` may allow (64 MiB). */
export const KIBANA_BODY_LIMIT_MAX = 64 * 1024 * 1024;

const serverSchema = z
  .strictObject({
    listen: z.string().regex(/^(\[[0-9a-fA-F:]+\]|[^:\s]*):\d{1,5}$/, 'use HOST:PORT, e.g. 0.0.0.0:8090').default('0.0.0.0:8090'),
    body_limit: byteSize.default(1024 * 1024),
    /**
     * Largest accepted body on /webhook/kibana. Kibana rule bodies embed the rule context (an
     * ES-query rule: up to 100 whole documents), Kibana never retries a 413, and the alert would be
     * lost, so Kibana gets its own, larger limit. Capped because bodies are read into memory.
     */
    kibana_body_limit: byteSize
      .refine((bytes) => bytes <= KIBANA_BODY_LIMIT_MAX, { message: `too large: at most ${KIBANA_BODY_LIMIT_MAX / 1024 / 1024}MiB (bodies are held in memory)` })
      .default(16 * 1024 * 1024),
    timezone: timezone.default('Asia/Shanghai'),
    auth: authSchema.optional(),
    /** Browser origins, besides this service's own and external_url, that may POST/PUT/PATCH/DELETE. */
    allowed_origins: allowedOrigins,
    /** Proxies whose X-Forwarded-For is believed for the client address (default: none, the socket address). */
    trusted_proxies: trustedProxies,
    /** The web console at /ui: true / false, or { enabled, edit_templates } (see uiSettings). */
    ui: z
      .union([
        z.boolean(),
        z.strictObject({
          enabled: z.boolean().default(true),
          /** Let the console's template editor save into the `templates` directory (off: download only). */
          edit_templates: z.boolean().default(false),
        }),
      ])
      .default(true),
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
    /** Cap on the alert history file (history.sqlite); the oldest records go first. It shares the disk with the outbox. */
    history_max_size: byteSize.default(128 * 1024 * 1024),
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
    /** On-call rotas named by escalation steps (issue 19). */
    oncall: z.array(oncallSchema).default([]),
    /** Message layout: where-labels and the severity scheme (README "Message layout"). */
    messages: messagesSchema,
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
    const rotas = new Set(config.oncall.map((rota) => rota.name));
    checkEscalations(config.route, ['route'], known, (name) => rotas.has(name), ctx);
    config.receivers.forEach((receiver, index) => {
      const notify = receiver.app?.callback?.notify;
      if (notify && !known(notify)) ctx.addIssue({ code: 'custom', path: ['receivers', index, 'app', 'callback', 'notify'], message: `unknown receiver "${notify}"` });
    });
    const digestNames = new Set<string>();
    config.digests.forEach((digest, index) => {
      if (!known(digest.receiver)) ctx.addIssue({ code: 'custom', path: ['digests', index, 'receiver'], message: `unknown receiver "${digest.receiver}"` });
      if (digestNames.has(digest.name)) ctx.addIssue({ code: 'custom', path: ['digests', index, 'name'], message: `duplicate digest name "${digest.name}"` });
      digestNames.add(digest.name);
    });
  });

/** checkEscalations: every escalation step names a configured receiver and rota. */
function checkEscalations(route: RouteConfig, path: (string | number)[], known: (name: string) => boolean, rota: (name: string) => boolean, ctx: z.RefinementCtx): void {
  const escalation = route.escalation;
  if (escalation?.receiver && !known(escalation.receiver)) ctx.addIssue({ code: 'custom', path: [...path, 'escalation', 'receiver'], message: `unknown receiver "${escalation.receiver}"` });
  escalation?.steps.forEach((step, index) => {
    if (step.receiver && !known(step.receiver)) ctx.addIssue({ code: 'custom', path: [...path, 'escalation', 'steps', index, 'receiver'], message: `unknown receiver "${step.receiver}"` });
    if (step.oncall && !rota(step.oncall)) ctx.addIssue({ code: 'custom', path: [...path, 'escalation', 'steps', index, 'oncall'], message: `unknown oncall rota "${step.oncall}"` });
  });
  route.routes.forEach((child, index) => checkEscalations(child, [...path, 'routes', index], known, rota, ctx));
}

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
