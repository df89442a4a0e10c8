import { randomUUID } from 'node:crypto';
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics';
import type { Service } from '../service';
import { parseMessageInput, planMessage } from '../pipeline/message-plan';
import { HttpError } from './errors';
import { parseJsonBody, rawBody, requireJsonContentType } from './json-body';

/**
 * `POST /api/v1/messages` (SPEC §3, README "Generic messages"): a message from any internal job —
 * `title`, `content`, optional `severity`, `labels`, `receiver`, `msgtype`, `mention` — routed,
 * queued durably, rate limited, split and retried like alerts. Same auth and body rules as the
 * webhooks: 401 → 415 → 413 → 400 (`{"error":…,"path":"title"}`) → 404 unknown receiver → 503 → 200
 * `{"status":"accepted","notifications":N}`. Requests are counted in
 * `wecom_adapter_webhook_requests_total{source="api"}`.
 */
type Middleware = (req: Request, res: Response, next: NextFunction) => void;

export function messageRoutes(service: Service, metrics: Metrics, logger: Logger, auth: Middleware): Router {
  const router = Router();
  const path = '/api/v1/messages';
  router.post(
    path,
    observe(metrics),
    auth,
    requireJsonContentType(false),
    (req, res, next) => rawBody(service.current.config.server.body_limit)(req, res, next),
    async (req, res, next) => {
      try {
        const input = parseMessageInput(parseJsonBody(req.body));
        const now = service.clock();
        const notifications = planMessage(input, service.current, now);
        const result = await service.enqueue(notifications, now);
        logger.info(
          { requestId: res.locals.requestId, receivers: [...new Set(notifications.map((n) => n.receiver))], notifications: result.notifications, deduplicated: result.deduplicated, msgtype: input.msgtype },
          'message accepted',
        );
        res.status(200).json({ status: 'accepted', notifications: result.notifications, ...(result.deduplicated ? { deduplicated: result.deduplicated } : {}) });
      } catch (err) {
        next(err);
      }
    },
  );
  router.all(path, (_req, _res, next) => next(new HttpError(405, 'use POST')));
  return router;
}

function observe(metrics: Metrics): Middleware {
  return (req, res, next) => {
    res.locals.requestId = (typeof req.headers['x-request-id'] === 'string' && req.headers['x-request-id'].slice(0, 64)) || randomUUID();
    res.setHeader('X-Request-Id', res.locals.requestId as string);
    res.on('finish', () => metrics.webhookRequests.inc({ source: 'api', code: String(res.statusCode) }));
    next();
  };
}
