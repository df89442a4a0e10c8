import { isIPv4, isIPv6 } from 'node:net';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics';
import { HttpError } from './errors';

/**
 * AuthThrottle slows credential guessing (issue 16 item 8: 10,555 wrong attempts in 5 s were
 * answered at full speed). Per client address, a fixed window opens at its first wrong credential;
 * after `max_failures` of them inside `window`, every request from that address that presents
 * credentials is answered 429 with Retry-After until the window ends — answered at once, so no
 * socket is held open. Other addresses are never affected, and a blocked address is logged once
 * per window (the 429s themselves are not logged, only counted).
 *
 * - The address is express's `req.ip`: the socket's, unless `server.trusted_proxies` makes the app
 *   believe X-Forwarded-For (src/http/trust-proxy.ts). IPv4-mapped IPv6 counts as IPv4, and IPv6
 *   counts per /64, the block one subscriber gets (else an attacker rotates through 2^64 addresses).
 * - Memory is bounded by `max_clients`: entries live in window order, so expired ones are dropped
 *   from the front, and when the table is full the oldest window is forgotten.
 * - Only *wrong* credentials count (`noteAuthFailure(res, true)`): a request without any (a browser
 *   before its login prompt, a misconfigured scraper) cannot be guessing.
 * - While blocked, even right credentials get 429: answering them would tell the guesser which
 *   guess was right. A sender sharing an address (NAT) with a misconfigured one is blocked with it;
 *   the warning names the address so the operator can fix the sender.
 */
/** ThrottleLimits: `server.auth.throttle`. */
export interface ThrottleLimits {
  max_failures: number;
  window: number;
  max_clients: number;
}

/** AuthOutcome: the `outcome` label of wecom_adapter_auth_failures_total. */
export type AuthOutcome = 'missing' | 'wrong' | 'throttled';

interface Entry {
  windowStart: number;
  failures: number;
  blockedUntil: number;
}

const NOTE = Symbol('authFailure');
const GATE = Symbol('authThrottle');

/**
 * noteAuthFailure: the auth check calls it when it answers 401; `presented` says whether the request
 * carried credentials (only those count toward the throttle). Any route that checks a password
 * (e.g. a login form) calls it the same way.
 */
export function noteAuthFailure(res: Response, presented: boolean): void {
  (res.locals as Record<symbol, unknown>)[NOTE] = presented ? 'wrong' : 'missing';
}

/**
 * throttleRefusal: for an auth check that runs on credentials the request did not carry in its
 * Authorization header when it arrived (the console's login form), the 429 to answer if the address
 * is blocked — with Retry-After set and counted — or undefined.
 */
export function throttleRefusal(res: Response): HttpError | undefined {
  const gate = (res.locals as Record<symbol, unknown>)[GATE] as (() => number) | undefined;
  const seconds = gate?.() ?? 0;
  if (seconds <= 0) return undefined;
  res.setHeader('Retry-After', String(seconds));
  return new HttpError(429, refusalMessage(seconds));
}

function refusalMessage(seconds: number): string {
  return `认证失败次数过多，请 ${seconds} 秒后再试 (too many failed authentications from this address: try again in ${seconds} s; server.auth.throttle)`;
}

/** AuthThrottleDeps: what the throttle reads and reports to. */
export interface AuthThrottleDeps {
  /** The current limits; undefined when inbound auth is off (nothing to guess). */
  limits: () => ThrottleLimits | undefined;
  metrics: Pick<Metrics, 'authFailures'>;
  logger: Logger;
  /** Clock in epoch ms (tests pass a fake). */
  now?: () => number;
}

/** AuthThrottle: one per app (src/app.ts); its table is the only state. */
export class AuthThrottle {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(private readonly deps: AuthThrottleDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** middleware: 429 for blocked addresses presenting credentials; counts 401s when they finish. */
  middleware() {
    return (req: Request, res: Response, next: NextFunction): void => {
      const limits = this.deps.limits();
      if (!limits) return next();
      if (req.headers.authorization !== undefined && this.refuse(req, res)) return;
      const key = clientOf(req);
      (res.locals as Record<symbol, unknown>)[GATE] = () => {
        const seconds = this.blockedSeconds(key);
        if (seconds > 0) this.deps.metrics.authFailures.inc({ outcome: 'throttled' });
        return seconds;
      };
      res.once('finish', () => {
        const noted = (res.locals as Record<symbol, unknown>)[NOTE] as AuthOutcome | undefined;
        if (!noted) return;
        this.deps.metrics.authFailures.inc({ outcome: noted });
        if (noted === 'wrong') this.fail(key, limits);
      });
      next();
    };
  }

  /** refuse answers 429 if the request's address is blocked now (also for routes taking credentials in a body). */
  refuse(req: Request, res: Response): boolean {
    const seconds = this.blockedSeconds(clientOf(req));
    if (seconds <= 0) return false;
    this.deps.metrics.authFailures.inc({ outcome: 'throttled' });
    res.setHeader('Retry-After', String(seconds));
    res.status(429).json({ error: refusalMessage(seconds) });
    return true;
  }

  /** blockedSeconds: whole seconds until `key` may try again (0: not blocked). */
  private blockedSeconds(key: string): number {
    const entry = this.entries.get(key);
    const now = this.now();
    if (!entry || entry.blockedUntil <= now) return 0;
    return Math.max(1, Math.ceil((entry.blockedUntil - now) / 1000));
  }

  /** size: addresses currently remembered (for tests of the memory bound). */
  get size(): number {
    return this.entries.size;
  }

  private fail(key: string, limits: ThrottleLimits): void {
    const now = this.now();
    let entry = this.entries.get(key);
    if (!entry || now >= entry.windowStart + limits.window) {
      // A new window goes to the back, so the Map stays ordered by window start.
      this.entries.delete(key);
      this.makeRoom(limits, now);
      entry = { windowStart: now, failures: 0, blockedUntil: 0 };
      this.entries.set(key, entry);
    }
    entry.failures += 1;
    if (entry.failures === limits.max_failures) {
      entry.blockedUntil = entry.windowStart + limits.window;
      this.deps.logger.warn(
        { client: key, failures: entry.failures, windowSeconds: limits.window / 1000, blockedSeconds: Math.ceil((entry.blockedUntil - now) / 1000) },
        'too many failed authentications from one address; answering 429 until its window ends (server.auth.throttle)',
      );
    }
  }

  private makeRoom(limits: ThrottleLimits, now: number): void {
    for (const [key, entry] of this.entries) {
      if (now < entry.windowStart + limits.window && this.entries.size < limits.max_clients) break;
      this.entries.delete(key);
    }
  }
}

function clientOf(req: Request): string {
  return clientKey(req.ip ?? req.socket.remoteAddress ?? 'unknown');
}

/** clientKey: the address the throttle counts — IPv4 as is (also when IPv4-mapped), IPv6 per /64. */
export function clientKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  if (isIPv4(address) || !isIPv6(address)) return address;
  return `${expandIPv6(address).slice(0, 4).join(':')}::/64`;
}

function expandIPv6(address: string): string[] {
  const [head, tail] = address.split('%')[0].split('::');
  const left = head ? head.split(':') : [];
  const right = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array.from({ length: missing }, () => '0'), ...right].map((group) => (group.includes('.') ? group : Number.parseInt(group || '0', 16).toString(16)));
}
