import { isIP } from 'node:net';
import { z } from 'zod';
import { duration } from './schema-parts';

/**
 * Config pieces of the HTTP defences (README "Security"): which browser origins may change state
 * (`server.allowed_origins`), which proxies' X-Forwarded-For is believed (`server.trusted_proxies`)
 * and how failed logins are throttled (`server.auth.throttle`).
 */

/** origin: `scheme://host[:port]` exactly as a browser sends it in `Origin` (no path); normalized. */
const origin = z.string().transform((input, ctx) => {
  let url: URL | undefined;
  try {
    url = new URL(input);
  } catch {
    url = undefined;
  }
  const bare = url && /^https?:$/.test(url.protocol) && (url.pathname === '/' || url.pathname === '') && !url.search && !url.hash && !url.username;
  if (!url || !bare || !/^https?:\/\/[^/]+\/?$/i.test(input)) {
    ctx.issues.push({ code: 'custom', input, message: `not an origin: use scheme://host[:port] without a path, e.g. https://grafana.example.cn` });
    return z.NEVER;
  }
  return url.origin;
});

/** allowedOrigins: browser origins besides this service's own that may POST to it. */
export const allowedOrigins = z.array(origin).default([]);

/** NAMED_RANGES: the range names express's `trust proxy` knows, spelled out. */
export const NAMED_RANGES: Record<string, string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

function isAddressOrSubnet(value: string): boolean {
  if (value in NAMED_RANGES) return true;
  const [address, prefix, ...rest] = value.split('/');
  const family = isIP(address);
  if (!family || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** trustedProxies: addresses, CIDR ranges or loopback / linklocal / uniquelocal. */
export const trustedProxies = z
  .array(z.string().refine(isAddressOrSubnet, { message: 'use an IP address, a CIDR range (10.0.0.0/8) or loopback, linklocal, uniquelocal' }))
  .default([]);

/** authThrottle: after `max_failures` wrong credentials from one address within `window`, answer 429 until it ends. */
export const authThrottle = z
  .strictObject({
    max_failures: z.number().int().min(1).default(10),
    window: duration.default(60_000),
    /** Addresses remembered at once (bounds memory; the oldest windows are forgotten first). */
    max_clients: z.number().int().min(1).default(10_000),
  })
  .prefault({});
