import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics';
import { findSource } from '../sources/registry';

/**
 * crossOriginGuard stops cross-site request forgery (issue 16 item 3): a page on another site, in a
 * browser that remembers the console's basic credentials, could otherwise POST a `text/plain` alert
 * to `/webhook/kibana` or a form to `/-/reload` — requests a browser sends without a CORS preflight.
 *
 * Browsers say where a request comes from (`Origin` on every cross-origin POST, `Sec-Fetch-Site`
 * on every request of current browsers); the senders this service exists for (Alertmanager,
 * Grafana, Kibana, Watcher, WeCom callbacks, curl and scripts) send neither, so they pass exactly as
 * before. A POST/PUT/PATCH/DELETE is refused with 403 when it carries:
 * - an `Origin` other than this service's own — the `Host` it was sent to, or `server.external_url`
 *   — unless listed in `server.allowed_origins`;
 * - `Origin: null` unless the browser says `Sec-Fetch-Site: same-origin`: a page with
 *   `Referrer-Policy: no-referrer` (the console's own login form) submits forms with `Origin: null`,
 *   and so does a sandboxed frame on an attacker's page (which the browser marks cross-site);
 * - `Sec-Fetch-Site: cross-site` or `same-site` without such an allowed `Origin`: a sibling
 *   subdomain is another application, so only same-origin counts as "ours".
 * The scheme of `Origin` is not compared with the request's: behind a TLS-terminating proxy the
 * browser says `https://` while the request arrives over http with the same Host. A proxy that
 * rewrites Host needs `server.external_url` (or `allowed_origins`) set to the public origin.
 */
/** GuardSettings: the `server` keys the guard reads (on every request, so a reload applies). */
export interface GuardSettings {
  allowed_origins: string[];
  external_url?: string;
}

/** CsrfReason: the `reason` label of wecom_adapter_csrf_refused_total. */
export type CsrfReason = 'foreign_origin' | 'cross_site' | 'form_body';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** crossOriginGuard is the app-level middleware (src/app.ts, before every route). */
export function crossOriginGuard(settings: () => GuardSettings, metrics: Pick<Metrics, 'csrfRefused'>, logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!STATE_CHANGING.has(req.method)) return next();
    const origin = single(req.headers.origin);
    const site = single(req.headers['sec-fetch-site'])?.toLowerCase();
    // No browser provenance at all (server-to-server), or a same-origin / user-typed navigation.
    if (origin === undefined && site !== 'cross-site' && site !== 'same-site') return next();
    const verdict = judge(origin, site, req.headers.host, settings());
    if (verdict === 'allowed') return next();
    refuse(req, res, { metrics, logger, reason: verdict, origin, site });
  };
}

/** judge: `allowed`, or why not. Exported for the unit tests of each header combination. */
export function judge(origin: string | undefined, site: string | undefined, host: string | undefined, settings: GuardSettings): 'allowed' | CsrfReason {
  const crossSite = site === 'cross-site' || site === 'same-site';
  if (origin === undefined) return crossSite ? 'cross_site' : 'allowed';
  // An opaque origin: only the browser's own Sec-Fetch-Site can say whether it is our page.
  if (origin === 'null') return site === 'same-origin' ? 'allowed' : crossSite ? 'cross_site' : 'foreign_origin';
  const normalized = normalizeOrigin(origin);
  if (normalized === undefined) return 'foreign_origin';
  if (settings.allowed_origins.includes(normalized)) return 'allowed';
  if (settings.external_url && normalizeOrigin(settings.external_url) === normalized) return 'allowed';
  // Our own Host: a browser calls a same-origin request same-origin, never (same|cross)-site.
  if (sameHost(normalized, host)) return crossSite ? 'cross_site' : 'allowed';
  return 'foreign_origin';
}

/** refuse answers 403 naming the origin and the key that would allow it, counts and logs it. */
export function refuse(
  req: Request,
  res: Response,
  context: { metrics: Pick<Metrics, 'csrfRefused'>; logger: Logger; reason: CsrfReason; origin?: string; site?: string; status?: number; message?: string },
): void {
  const path = pathLabel(req.path);
  context.metrics.csrfRefused.inc({ path, reason: context.reason });
  const shown = context.origin === undefined ? undefined : context.origin.slice(0, 200);
  context.logger.warn(
    { path, reason: context.reason, origin: shown, secFetchSite: context.site, client: req.ip, contentType: req.headers['content-type'] },
    'cross-site request refused (CSRF protection)',
  );
  const message =
    context.message ??
    (shown !== undefined
      ? `跨站请求被拒绝 (cross-site request refused): Origin "${shown}" is not this service's origin; a page on another site cannot change anything here. If this caller is legitimate, add its origin to server.allowed_origins (or set server.external_url behind a proxy that rewrites Host).`
      : `跨站请求被拒绝 (cross-site request refused): the browser marked it Sec-Fetch-Site: ${context.site} and sent no Origin. If this caller is legitimate, add its origin to server.allowed_origins.`);
  res.status(context.status ?? 403).json({ error: message, ...(shown !== undefined ? { origin: shown } : {}), ...(context.reason !== 'form_body' ? { config_key: 'server.allowed_origins' } : {}) });
}

/** normalizeOrigin: `scheme://host[:port]` lowercased with the default port dropped, or undefined (e.g. `null`). */
function normalizeOrigin(value: string): string | undefined {
  try {
    const url = new URL(value);
    return /^https?:$/.test(url.protocol) ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

function sameHost(origin: string, host: string | undefined): boolean {
  if (!host) return false;
  try {
    const url = new URL(origin);
    // Parse Host with the origin's scheme so `host:80` equals `http://host` (default ports dropped).
    return new URL(`${url.protocol}//${host}`).host === url.host;
  } catch {
    return false;
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** pathLabel keeps the metric's label set bounded whatever paths a page invents. */
export function pathLabel(path: string): string {
  const webhook = /^\/webhook\/([^/]+)/.exec(path);
  if (webhook) return findSource(webhook[1]) ? `/webhook/${webhook[1]}` : '/webhook/other';
  for (const known of ['/api/v1/messages', '/-/reload', '/ui']) if (path === known || path.startsWith(`${known}/`)) return known;
  return 'other';
}
