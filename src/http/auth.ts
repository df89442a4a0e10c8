import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Config } from '../config/schema';
import { noteAuthFailure, throttleRefusal } from './auth-throttle';
import { HttpError } from './errors';

/**
 * Inbound auth (SPEC §8): bearer tokens (a list, for rotation) and/or basic auth, compared in
 * constant time (both sides hashed first, so lengths do not leak either).
 */
type AuthConfig = NonNullable<Config['server']['auth']>;

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** isAuthorized checks an Authorization header against the configured credentials. */
export function isAuthorized(header: string | undefined, auth: AuthConfig): boolean {
  if (!header) return false;
  const [scheme, ...rest] = header.trim().split(/\s+/);
  const credentials = rest.join(' ');
  if (/^bearer$/i.test(scheme)) {
    // Check every token (no early exit) so timing does not tell which one matched.
    let ok = false;
    for (const token of auth.bearer_tokens) ok = safeEqual(credentials, token) || ok;
    return ok;
  }
  if (/^basic$/i.test(scheme) && auth.basic?.password) {
    const decoded = Buffer.from(credentials, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    const userOk = safeEqual(decoded.slice(0, colon), auth.basic.username);
    const passOk = safeEqual(decoded.slice(colon + 1), auth.basic.password);
    return userOk && passOk;
  }
  return false;
}

/** authEnabled: auth applies only when at least one credential is configured. */
export function authEnabled(auth: AuthConfig | undefined): auth is AuthConfig {
  return Boolean(auth && (auth.bearer_tokens.length > 0 || auth.basic));
}

/** requireAuth is middleware reading the current auth config on every request (hot reload). */
export function requireAuth(currentAuth: () => AuthConfig | undefined) {
  return (req: Request, res: Response, next: NextFunction) => {
    const auth = currentAuth();
    if (!authEnabled(auth)) return next();
    // A blocked address gets 429 even with the right credentials (else the answer reveals the guess).
    const refused = req.headers.authorization !== undefined ? throttleRefusal(res) : undefined;
    if (refused) return next(refused);
    if (isAuthorized(req.headers.authorization, auth)) return next();
    noteAuthFailure(res, req.headers.authorization !== undefined); // counted and throttled per address
    res.setHeader('WWW-Authenticate', auth.basic ? 'Basic realm="wecom-alert-adapter"' : 'Bearer');
    next(new HttpError(401, 'missing or wrong credentials'));
  };
}
