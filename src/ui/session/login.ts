import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { authEnabled, requireAuth } from '../../http/auth';
import { HttpError } from '../../http/errors';
import type { Service } from '../../service';
import { consoleAuth, sessionOf } from './console-auth';
import { isHttps, readSessionCookie, setSessionCookie } from './cookies';
import { renderLoginPage } from './login-page';
import { credentialFingerprint, SESSION_TTL_MS, type SessionStore } from './session-store';

/**
 * Browser sign-in (`/ui/login`, `/ui/logout`). The form's credentials are turned into the
 * Authorization header an API client would send and checked by the webhooks' own requireAuth, so
 * the login accepts exactly the configured credentials and is throttled like every other auth
 * failure. Success opens a server-side session (session-store.ts) and sets the cookie.
 */
export function loginRoutes(service: Service, sessions: SessionStore): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '8kb' });
  const auth = () => service.current.config.server.auth;
  const page = (res: Response, status: number, error?: string, username?: string) => {
    const current = auth();
    res.status(status).setHeader('Cache-Control', 'no-store');
    // The login page posts its own form: form-action 'self' here only.
    res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
    // With no-referrer a browser posts the form with `Origin: null`, which the CSRF guard refuses;
    // same-origin still sends nothing to any other site.
    res.setHeader('Referrer-Policy', 'same-origin');
    res.type('html').send(renderLoginPage({ basic: Boolean(current?.basic), bearer: (current?.bearer_tokens.length ?? 0) > 0, error, username }));
  };

  router.get('/login', (_req, res) => {
    if (!authEnabled(auth())) return res.redirect(302, './');
    page(res, 200);
  });

  router.post('/login', form, (req: Request, res: Response, next: NextFunction) => {
    const current = auth();
    if (!authEnabled(current)) return res.redirect(303, './');
    const fields = (req.body ?? {}) as Record<string, unknown>;
    const text = (name: string) => (typeof fields[name] === 'string' ? (fields[name] as string) : '');
    const username = text('username');
    const token = text('token').trim();
    if (!token && !username) return page(res, 400, '请填写凭据 (enter a user and password, or a token)');
    req.headers.authorization = token ? `Bearer ${token}` : `Basic ${Buffer.from(`${username}:${text('password')}`).toString('base64')}`;
    requireAuth(() => current)(req, res, (err?: unknown) => {
      if (err === undefined) {
        const session = sessions.open(token ? 'token' : username, credentialFingerprint(current));
        setSessionCookie(res, session.id, SESSION_TTL_MS, isHttps(req, service.current.config.server.external_url));
        return res.redirect(303, './');
      }
      res.removeHeader('WWW-Authenticate');
      const status = err instanceof HttpError ? err.status : 500;
      if (status === 401) return page(res, 401, '用户名、密码或令牌错误 (wrong credentials)', username);
      if (status === 429) return page(res, 429, `尝试次数过多，请稍后再试 (too many failed attempts; ${(err as Error).message})`, username);
      next(err);
    });
  });

  // Logout is a state-changing action: it passes consoleAuth (CSRF token required for sessions).
  router.post('/logout', consoleAuth(service, sessions), (req, res) => {
    if (sessionOf(res)) sessions.close(readSessionCookie(req));
    setSessionCookie(res, '', 0, isHttps(req, service.current.config.server.external_url));
    res.setHeader('Cache-Control', 'no-store');
    res.json({ ok: true, next: 'login' });
  });
  return router;
}
