import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics';
import { refuse } from './cross-origin-guard';

/**
 * noFormBody keeps an endpoint that takes no body (`POST /-/reload`) out of reach of HTML forms,
 * whatever the browser says about origins: a form (and a `no-cors` fetch) can only send
 * `application/x-www-form-urlencoded`, `multipart/form-data` or `text/plain`, so those types are
 * refused with 415 even when empty. `curl -X POST URL` (no body, no Content-Type), what Prometheus
 * documents for its own reload, and any other type (which a browser sends only after a CORS
 * preflight this service never grants) keep working. `curl -d ''` sends the form type: use `-X POST`.
 */
const FORM_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']);

/** noFormBody is the route middleware for `POST /-/reload` (after auth). */
export function noFormBody(metrics: Pick<Metrics, 'csrfRefused'>, logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (!FORM_TYPES.has(type)) return next();
    refuse(req, res, {
      metrics,
      logger,
      reason: 'form_body',
      status: 415,
      message: `${req.path} takes no body, and a form type ("${type}") is what a cross-site HTML form sends: POST without a body or Content-Type (curl -X POST …/-/reload, not curl -d '').`,
    });
  };
}
