import type { Response } from 'express';

/**
 * sendJson answers with a JSON body exactly as express's `res.status(n).json(body)` does here
 * (`Content-Type: application/json; charset=utf-8`, `Content-Length`, no ETag: the app disables
 * it), with one `writeHead` + `end` instead of express's send path, which looks settings, the
 * Content-Type's charset and request freshness up again for every answer — measurably slower on
 * the webhook hot path (issue 18). Headers set before (X-Request-Id) are kept.
 */
export function sendJson(res: Response, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
