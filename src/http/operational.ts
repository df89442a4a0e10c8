import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Metrics } from '../metrics';
import type { Service } from '../service';
import { ConfigError } from '../config/errors';
import { TemplateLoadError } from '../render/engine';
import { HttpError } from './errors';

type Middleware = (req: Request, res: Response, next: NextFunction) => void;

/** Health, readiness, metrics and reload endpoints (SPEC §3). */
export function operationalRoutes(service: Service, metrics: Metrics, guards: { admin: Middleware; health: Middleware; metrics: Middleware; noFormBody: Middleware }): Router {
  const router = Router();
  router.get('/healthz', guards.health, (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', guards.health, async (_req, res) => {
    const ready = await service.ready();
    res.status(ready.ok ? 200 : 503).json({ status: ready.ok ? 'ready' : 'not ready', checks: ready.checks });
  });
  router.get('/metrics', guards.metrics, async (_req, res) => {
    res.setHeader('Content-Type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });
  // No form-sendable body type (CSRF, README "Security"): checked after auth, like the webhooks' 415.
  router.post('/-/reload', guards.admin, guards.noFormBody, (_req, res, next) => {
    try {
      const state = service.reload();
      res.json({ status: 'reloaded', receivers: state.config.receivers.length });
    } catch (err) {
      if (err instanceof ConfigError || err instanceof TemplateLoadError) return next(new HttpError(500, 'reload failed; the running configuration is kept', undefined, { problems: err.problems }));
      next(new HttpError(500, `reload failed; the running configuration is kept: ${(err as Error).message}`));
    }
  });
  return router;
}
