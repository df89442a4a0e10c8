import type { NextFunction, Request, RequestHandler, Response } from 'express';
import express from 'express';
import { HttpError } from './errors';

/**
 * Body handling for webhooks (SPEC §3): read the raw bytes (up to the limit → 413), require a JSON
 * content type (→ 415; `/webhook/kibana` is exempt because Kibana's connector may send none or a
 * form type), decode strict UTF-8, parse JSON (→ 400), and drop `__proto__`/`constructor` keys so
 * a payload can never reach a prototype.
 */
export function rawBody(limitBytes: number): RequestHandler {
  // Callers ask per request (the limit follows reloads); building a body parser costs more than
  // reading a small webhook, so one is kept per limit. Limits change only with a reload, so the
  // table stays tiny; it is emptied if it ever grows.
  let parser = rawParsers.get(limitBytes);
  if (!parser) {
    if (rawParsers.size >= 16) rawParsers.clear();
    parser = express.raw({ type: () => true, limit: limitBytes });
    rawParsers.set(limitBytes, parser);
  }
  return parser;
}

const rawParsers = new Map<number, RequestHandler>();

/**
 * webhookBodyLimit: the byte limit for one webhook source. Kibana has its own, larger
 * `server.kibana_body_limit` (an ES-query rule body embeds whole documents; Kibana drops a 413).
 */
export function webhookBodyLimit(server: { body_limit: number; kibana_body_limit: number }, source: string): number {
  return source === 'kibana' ? Math.max(server.kibana_body_limit, server.body_limit) : server.body_limit;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** requireJsonContentType is the 415 check as a middleware (see contentTypeError). */
export function requireJsonContentType(exemptKibana: boolean) {
  return (req: Request, _res: Response, next: NextFunction) => next(contentTypeError(req, exemptKibana));
}

/** contentTypeError: the 415 for a body that does not say it is JSON, or undefined when it does (or is exempt). */
export function contentTypeError(req: Request, exemptKibana: boolean): HttpError | undefined {
  if (exemptKibana && req.params.source === 'kibana') return undefined;
  const header = req.headers['content-type'];
  // The common case first: exactly what every sender this service knows puts there.
  if (header === 'application/json') return undefined;
  const type = (header ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/json' || /^application\/[\w.+-]*\+json$/.test(type)) return undefined;
  return new HttpError(415, `unsupported content type "${type || '(none)'}": send Content-Type: application/json`);
}

/** parseJsonBody turns the raw body into a value; throws HttpError 400 with a useful message. */
export function parseJsonBody(raw: unknown): unknown {
  const bytes = Buffer.isBuffer(raw) ? raw : Buffer.alloc(0);
  if (bytes.length === 0) throw new HttpError(400, 'empty body: expected a JSON object');
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw new HttpError(400, 'the body is not valid UTF-8');
  }
  try {
    // The reviver costs time, so it runs only when a dangerous key is present at all.
    return /"(__proto__|constructor|prototype)"\s*:/.test(text) ? JSON.parse(text, dropDangerousKeys) : JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, `malformed JSON: ${(err as Error).message}`);
  }
}

function dropDangerousKeys(key: string, value: unknown): unknown {
  return key === '__proto__' || key === 'constructor' || key === 'prototype' ? undefined : value;
}
