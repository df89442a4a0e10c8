import { randomUUID } from 'node:crypto';
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics';
import type { Service } from '../service';
import { HttpError } from './errors';
import { sendJson } from './send-json';
import { contentTypeError, parseJsonBody, rawBody, webhookBodyLimit } from './json-body';
import { findSource } from '../sources/registry';

/**
 * Webhook routes (SPEC §3): `POST /webhook/{source}` and `/webhook/{source}/{receiver}`.
 * Checks run cheapest first: unknown source (404) → auth (401) → unknown receiver (404, logged at
 * error level, counted and kept for the console) → content type (415) → body size (413) → JSON (400)
 * → payload schema (400) → durable enqueue (503 if it fails) → 200.
 */
export function webhookRoutes(service: Service, metrics: Metrics, logger: Logger, auth: (req: Request, res: Response, next: NextFunction) => void): Router {
  const router = Router();
  const paths = ['/webhook/:source', '/webhook/:source/:receiver'];
  // One route handler running the checks in their documented order (each step hands its error to
  // express's error handler): a chain of six tiny route layers cost more per webhook than the checks.
  router.post(paths, (req, res, next) => {
    const source = String(req.params.source);
    const known = findSource(source) !== undefined;
    observe(metrics, req, res, known ? source : 'unknown');
    if (!known) return next(new HttpError(404, `unknown source "${source}" (use alertmanager, grafana or kibana)`));
    auth(req, res, (authError?: unknown) => {
      if (authError) return next(authError);
      const refused = unknownReceiver(service, metrics, logger, req, res) ?? contentTypeError(req, true);
      if (refused) return next(refused);
      rawBody(webhookBodyLimit(service.current.config.server, source))(req, res, (bodyError?: unknown) => (bodyError ? next(bodyError) : void accept(service, logger, req, res, next)));
    });
  });
  router.all(paths, (_req, _res, next) => next(new HttpError(405, 'use POST')));
  return router;
}

/** accept parses the body, ingests it (400 / 503 from there) and answers 200 with what was queued. */
async function accept(service: Service, logger: Logger, req: Request, res: Response, next: NextFunction): Promise<void> {
  const source = String(req.params.source);
  const receiver = req.params.receiver === undefined ? undefined : String(req.params.receiver);
  try {
    const body = parseJsonBody(req.body);
    const result = await service.ingest(source, body, receiver);
    res.locals.alerts = result.alerts;
    if (logger.isLevelEnabled('info')) {
      logger.info(
        { requestId: res.locals.requestId, source, receiver, alerts: result.alerts, notifications: result.notifications, deduplicated: result.deduplicated, skipped: result.skipped, suppressed: result.suppressed },
        'webhook accepted',
      );
    }
    sendJson(res, 200, { status: 'accepted', alerts: result.alerts, notifications: result.notifications, ...(result.deduplicated ? { deduplicated: result.deduplicated } : {}), ...(result.skipped ? { skipped: result.skipped } : {}), ...(result.suppressed ? { suppressed: result.suppressed } : {}) });
  } catch (err) {
    next(err);
  }
}

/**
 * unknownReceiver answers 404 for a pinned receiver the config does not have. The sender drops a
 * 404 for good (Alertmanager treats it as permanent), so it is a configuration error that must be
 * noticed: logged at error level with the sender's address (never its credentials), counted in
 * wecom_adapter_unknown_receiver_total (alerted on by deploy/prometheus-rules.yaml) and kept for
 * the console (`GET /ui/api/unknown-receivers`). Runs after auth, so strangers cannot fill it.
 */
function unknownReceiver(service: Service, metrics: Metrics, logger: Logger, req: Request, res: Response): HttpError | undefined {
  if (req.params.receiver === undefined) return undefined;
  const receiver = String(req.params.receiver);
  if (service.current.channels.has(receiver)) return undefined;
  const source = String(req.params.source);
  // req.ip: the socket address, or the client a trusted proxy names (server.trusted_proxies).
  const entry = { at: service.clock(), source, receiver, sender: req.ip ?? req.socket.remoteAddress ?? 'unknown' };
  const label = service.unknownReceivers.record(entry);
  metrics.unknownReceiver.inc({ source, receiver: label });
  logger.error(
    { requestId: res.locals.requestId, source, receiver: entry.receiver.slice(0, 128), sender: entry.sender, userAgent: String(req.headers['user-agent'] ?? '').slice(0, 128) },
    'webhook for an unknown receiver answered 404: the sender drops it; fix the URL or add the receiver to the config',
  );
  const known = [...service.current.channels.keys()].join(', ');
  return new HttpError(404, `unknown receiver "${receiver}" (configured: ${known})`);
}

/** observe counts every webhook request by source and final status code, and tags it with an id. */
function observe(metrics: Metrics, req: Request, res: Response, source: string): void {
  const given = req.headers['x-request-id'];
  const requestId = (typeof given === 'string' && given.slice(0, 64)) || randomUUID();
  res.locals.requestId = requestId;
  res.setHeader('X-Request-Id', requestId);
  res.on('finish', () => metrics.webhookRequests.inc({ source, code: String(res.statusCode) }));
}
