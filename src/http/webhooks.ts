import { randomUUID } from 'node:crypto';
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics';
import type { Service } from '../service';
import { HttpError } from './errors';
import { parseJsonBody, rawBody, requireJsonContentType } from './json-body';
import { findSource } from '../sources/registry';

/**
 * Webhook routes (SPEC §3): `POST /webhook/{source}` and `/webhook/{source}/{receiver}`.
 * Checks run cheapest first: unknown source (404) → auth (401) → content type (415) → body size
 * (413) → JSON (400) → payload schema (400) → durable enqueue (503 if it fails) → 200.
 */
export function webhookRoutes(service: Service, metrics: Metrics, logger: Logger, auth: (req: Request, res: Response, next: NextFunction) => void): Router {
  const router = Router();
  const paths = ['/webhook/:source', '/webhook/:source/:receiver'];
  router.post(
    paths,
    observe(metrics),
    (req, _res, next) => next(findSource(String(req.params.source)) ? undefined : new HttpError(404, `unknown source "${String(req.params.source)}" (use alertmanager, grafana or kibana)`)),
    auth,
    requireJsonContentType(true),
    (req, res, next) => rawBody(service.current.config.server.body_limit)(req, res, next),
    async (req, res, next) => {
      const source = String(req.params.source);
      const receiver = req.params.receiver === undefined ? undefined : String(req.params.receiver);
      try {
        const body = parseJsonBody(req.body);
        const result = await service.ingest(source, body, receiver);
        res.locals.alerts = result.alerts;
        logger.info(
          { requestId: res.locals.requestId, source, receiver, alerts: result.alerts, notifications: result.notifications, deduplicated: result.deduplicated, skipped: result.skipped },
          'webhook accepted',
        );
        res.status(200).json({ status: 'accepted', alerts: result.alerts, notifications: result.notifications, ...(result.deduplicated ? { deduplicated: result.deduplicated } : {}), ...(result.skipped ? { skipped: result.skipped } : {}) });
      } catch (err) {
        next(err);
      }
    },
  );
  router.all(paths, (_req, _res, next) => next(new HttpError(405, 'use POST')));
  return router;
}

/** observe counts every webhook request by source and final status code, and tags it with an id. */
function observe(metrics: Metrics) {
  return (req: Request, res: Response, next: NextFunction) => {
    const raw = String(req.params.source ?? '');
    const source = findSource(raw) ? raw : 'unknown';
    res.locals.requestId = (typeof req.headers['x-request-id'] === 'string' && req.headers['x-request-id'].slice(0, 64)) || randomUUID();
    res.setHeader('X-Request-Id', res.locals.requestId as string);
    res.on('finish', () => metrics.webhookRequests.inc({ source, code: String(res.statusCode) }));
    next();
  };
}
