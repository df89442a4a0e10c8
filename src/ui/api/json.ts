import type { NextFunction, Request, Response } from 'express';
import { rawBody, requireJsonContentType } from '../../http/json-body';
import { HttpError } from '../../http/errors';
import type { Service } from '../../service';
import { safeJson } from '../html';

/** Handler: a console API handler; its value is the JSON response body. */
export type Handler = (req: Request, res: Response) => Promise<unknown> | unknown;

/** json wraps a handler: its value is the response body; a thrown HttpError becomes `{"error", "path"}`. */
export function json(handler: Handler) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const value = await handler(req, res);
      res.setHeader('Cache-Control', 'no-store');
      res.type('application/json').send(safeJson(value));
    } catch (err) {
      next(err);
    }
  };
}

/**
 * postBody: the middlewares of every state-changing console endpoint. `Content-Type:
 * application/json` is required (a cross-site form cannot send it without a CORS preflight, which
 * is never granted), and the raw body is read with a bound (templates and payloads are big).
 */
export function postBody(service: Service) {
  return [requireJsonContentType(false), (req: Request, res: Response, next: NextFunction) => rawBody(service.current.config.server.body_limit * 2 + 4096)(req, res, next)];
}

/** queryText reads an optional single string query parameter (`?name=…`), trimmed; '' is absent. */
export function queryText(req: Request, name: string): string | undefined {
  const value = req.query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new HttpError(400, `${name} must be given once`, name);
  return value.trim() || undefined;
}

/** queryTime reads a time bound: ms since epoch or an ISO 8601 / `YYYY-MM-DDTHH:mm` instant. */
export function queryTime(req: Request, name: string): number | undefined {
  const text = queryText(req, name);
  if (text === undefined) return undefined;
  const value = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(value)) throw new HttpError(400, `${name}: not a time (use ISO 8601, e.g. 2026-03-18T12:00:00+08:00)`, name);
  return value;
}

/** queryLimit reads `limit` within [1, max], defaulting to `fallback`. */
export function queryLimit(req: Request, fallback: number, max: number): number {
  const text = queryText(req, 'limit');
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > max) throw new HttpError(400, `limit must be an integer from 1 to ${max}`, 'limit');
  return value;
}

/** queryEnum reads an optional value that must be one of `allowed`. */
export function queryEnum<T extends string>(req: Request, name: string, allowed: readonly T[]): T | undefined {
  const text = queryText(req, name);
  if (text === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(text)) throw new HttpError(400, `${name} must be one of ${allowed.join(', ')}`, name);
  return text as T;
}
