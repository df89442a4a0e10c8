import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Service } from '../service';
import { SOURCES } from '../sources/registry';
import { uiApi } from './api';
import { serveAsset } from './assets';
import { listExamples } from './examples';
import { renderPage } from './page';
import { consoleAuth, sessionOf } from './session/console-auth';
import { loginRoutes } from './session/login';
import { SessionStore } from './session/session-store';
import { uiSettings } from './settings';

/**
 * The web console (`GET /ui`), mounted at `/ui`: a page, its assets and a JSON API, behind the
 * same inbound credentials as the webhooks, presented either as an Authorization header or as a
 * browser session from the login page (session/). `server.ui: false` makes it absent (404),
 * checked per request so a reload turns it on or off.
 */
export const POLL_SECONDS = 3;

export function uiRoutes(service: Service): Router {
  const router = Router();
  // Leaving the router ('router') falls through to the app's 404, as for any unknown path.
  const sessions = new SessionStore(service.clock);
  router.use((_req, _res, next) => next(uiSettings(service.current.config).enabled ? undefined : 'router'));
  router.use(securityHeaders);
  // The login page and its stylesheet are reachable signed out; everything else is not.
  router.get('/assets/console.css', serveAsset);
  router.use(loginRoutes(service, sessions));
  router.use(consoleAuth(service, sessions));
  router.get('/', (req, res) => {
    // Relative asset and API URLs need the trailing slash; a relative Location keeps a proxy prefix.
    if (!req.originalUrl.split('?')[0].endsWith('/')) return res.redirect(302, 'ui/');
    const { config, channels } = service.current;
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(
      renderPage({
        timezone: config.server.timezone,
        receivers: [...channels.values()].map((channel) => ({ name: channel.name, kind: channel.kind, msgtype: channel.format.msgtype })),
        sources: Object.keys(SOURCES),
        examples: listExamples(),
        pollSeconds: POLL_SECONDS,
        csrfToken: sessionOf(res)?.csrf,
        user: sessionOf(res)?.user,
      }),
    );
  });
  router.get('/assets/:name', serveAsset);
  router.use('/api', uiApi(service));
  return router;
}

/**
 * The page runs only its own script and styles (no inline code, no third-party origins), cannot be
 * framed, and sends no referrer: payload text shown in it can never become code or leak URLs.
 */
function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader(
    'Content-Security-Policy',
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  );
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  next();
}
