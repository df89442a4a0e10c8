import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { Metrics } from './metrics';
import type { Service } from './service';
import { authEnabled, requireAuth } from './http/auth';
import { errorHandler } from './http/error-handler';
import { HttpError } from './http/errors';
import { operationalRoutes } from './http/operational';
import { webhookRoutes } from './http/webhooks';
import { messageRoutes } from './http/messages';
import { AuthThrottle } from './http/auth-throttle';
import { crossOriginGuard } from './http/cross-origin-guard';
import { noFormBody } from './http/no-form-body';
import { trustProxy } from './http/trust-proxy';
import { lazyHandler } from './lazy-handler';

/**
 * createApp builds the express app around a running Service. It never listens (server.ts does),
 * so tests drive it with supertest.
 */
export interface AppDeps {
  service: Service;
  metrics: Metrics;
  logger: Logger;
  /** Clock in epoch ms for the auth throttle's windows (tests pass a fake). */
  clock?: () => number;
}

export function createApp({ service, metrics, logger, clock }: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // req.ip: the socket address unless server.trusted_proxies vouches for X-Forwarded-For.
  app.set('trust proxy', trustProxy(() => service.current.config.server.trusted_proxies));
  // Before every route: failed-login throttle, then CSRF (a foreign Origin on a state-changing request).
  const server = () => service.current.config.server;
  // WeCom's callback is authenticated by its own signature and encryption, never by inbound auth
  // (WeCom cannot send it), so it is mounted before the throttle and the auth-protected routes.
  // Only `/wecom/…` can match it (express matches paths case-insensitively): every other request,
  // above all the webhooks, skips its route table instead of testing each route.
  // Its code (the interactive cards' crypto and actions) is loaded on the first such request.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const callbacks = lazyHandler(() => (require('./http/wecom-callback') as typeof import('./http/wecom-callback')).wecomCallbackRoutes(service, metrics, logger));
  app.use((req, res, next) => (/^\/wecom\//i.test(req.url) ? callbacks(req, res, next) : next()));
  app.use(new AuthThrottle({ limits: () => (authEnabled(server().auth) ? server().auth?.throttle : undefined), metrics, logger, now: clock }).middleware());
  app.use(crossOriginGuard(server, metrics, logger));
  const auth = requireAuth(() => service.current.config.server.auth);
  const open: Parameters<typeof operationalRoutes>[2]['admin'] = (_req, _res, next) => next();
  const when = (flag: () => boolean | undefined) => ((req, res, next) => (flag() ? auth(req, res, next) : open(req, res, next))) as typeof open;
  app.use(webhookRoutes(service, metrics, logger, auth));
  app.use(messageRoutes(service, metrics, logger, auth));
  app.use(
    operationalRoutes(service, metrics, {
      admin: auth,
      health: when(() => service.current.config.server.auth?.protect_health),
      metrics: when(() => service.current.config.server.auth?.protect_metrics),
      noFormBody: noFormBody(metrics, logger),
    }),
  );
  // The console's code is loaded on its first request; with `server.ui: false` it answers 404 as before.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  app.use('/ui', lazyHandler(() => (require('./ui/router') as typeof import('./ui/router')).uiRoutes(service)));
  app.use((req, _res, next) => next(new HttpError(404, `no route for ${req.method} ${req.path}`)));
  app.use(errorHandler(logger));
  return app;
}
