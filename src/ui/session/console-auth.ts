import type { NextFunction, Request, Response } from 'express';
import { authEnabled, requireAuth } from '../../http/auth';
import { HttpError } from '../../http/errors';
import type { Service } from '../../service';
import { readSessionCookie } from './cookies';
import { credentialFingerprint, sameToken, type Session, type SessionStore } from './session-store';

/**
 * consoleAuth lets a request into the console by one of two ways:
 * - an Authorization header (bearer or basic: API clients, scripts, a browser's basic prompt),
 *   checked by the very requireAuth of the webhooks (same credentials, same throttling);
 * - the session cookie of a browser sign-in (login.ts). Then every state-changing request must
 *   also carry the session's CSRF token in `X-CSRF-Token` (synchronizer token, on top of
 *   SameSite=Strict), or it is refused 403.
 * Without either, the page redirects to the login page and the API answers 401; requests made by
 * the console's own script (`X-Console: 1`) get no WWW-Authenticate challenge, so an expired
 * session shows the login page instead of the browser's password prompt.
 */
export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** sessionOf: the console session a request was admitted with (undefined for header auth or no auth). */
export function sessionOf(res: Response): Session | undefined {
  return res.locals.consoleSession as Session | undefined;
}

export function consoleAuth(service: Service, sessions: SessionStore) {
  const headerAuth = requireAuth(() => service.current.config.server.auth);
  return (req: Request, res: Response, next: NextFunction) => {
    const auth = service.current.config.server.auth;
    if (!authEnabled(auth)) return next();
    if (req.headers.authorization) return headerAuth(req, res, next);
    const session = sessions.find(readSessionCookie(req), credentialFingerprint(auth));
    if (session) {
      if (!SAFE_METHODS.has(req.method) && !sameToken(header(req, CSRF_HEADER), session.csrf)) {
        return next(new HttpError(403, 'missing or wrong CSRF token (X-CSRF-Token); reload the console page'));
      }
      res.locals.consoleSession = session;
      return next();
    }
    if (req.method === 'GET' && (req.path === '/' || req.path === '') && req.accepts('html')) {
      res.setHeader('Cache-Control', 'no-store');
      return res.redirect(302, req.originalUrl.split('?')[0].endsWith('/') ? 'login' : 'ui/login');
    }
    if (header(req, 'x-console') === '1') return next(new HttpError(401, 'signed out: sign in again (登录已失效，请重新登录)'));
    return headerAuth(req, res, next);
  };
}

function header(req: Request, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
