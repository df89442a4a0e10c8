import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { Metrics } from './metrics';
import type { Service } from './service';
import { requireAuth } from './http/auth';
import { errorHandler } from './http/error-handler';
import { HttpError } from './http/errors';
import { operationalRoutes } from './http/operational';
import { webhookRoutes } from './http/webhooks';
import { uiRoutes } from './ui/router';
import { messageRoutes } from './http/messages';

/**
 * createApp builds the express app around a running Service. It never listens (server.ts does),
 * so tests drive it with supertest.
 */
export interface AppDeps {
  service: Service;
  metrics: Metrics;
  logger: Logger;
}

export function createApp({ service, metrics, logger }: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
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
    }),
  );
  app.use('/ui', uiRoutes(service));
  app.use((req, _res, next) => next(new HttpError(404, `no route for ${req.method} ${req.path}`)));
  app.use(errorHandler(logger));
  return app;
}
