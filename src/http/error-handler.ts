import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { HttpError } from './errors';

/**
 * errorHandler renders every failure as `{"error": …, "path": …}` with the right status, and
 * never leaks a stack trace. Unexpected errors are logged and answered 500.
 */
export function errorHandler(logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const status = statusOf(err);
    if (status >= 500 && !(err instanceof HttpError)) {
      logger.error({ err: String((err as Error)?.stack ?? err), path: req.path, requestId: res.locals.requestId }, 'request failed');
    } else if (status >= 400) {
      logger.info({ status, path: req.path, source: req.params?.source, error: messageOf(err, status), field: (err as HttpError).path, requestId: res.locals.requestId }, 'request rejected');
    }
    if (res.headersSent) return;
    const body: Record<string, unknown> = { error: messageOf(err, status) };
    if (err instanceof HttpError && err.path) body.path = err.path;
    if (err instanceof HttpError && err.details) Object.assign(body, err.details);
    res.status(status).json(body);
  };
}

function statusOf(err: unknown): number {
  if (err instanceof HttpError) return err.status;
  const type = (err as { type?: string })?.type;
  if (type === 'entity.too.large') return 413;
  if (type === 'request.aborted') return 400;
  const status = (err as { status?: number })?.status;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}

function messageOf(err: unknown, status: number): string {
  if (err instanceof HttpError) return err.message;
  if (status === 413) return 'body too large (server.body_limit; server.kibana_body_limit on /webhook/kibana)';
  if (status === 500) return 'internal error';
  return (err as Error)?.message ?? 'bad request';
}
