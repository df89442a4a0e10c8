import { Router, type NextFunction, type Request, type Response } from 'express';
import { listDeadLetters, requeueDeadLetters } from '../commands/dead-letters-core';
import { HttpError } from '../http/errors';
import { parseJsonBody, rawBody, requireJsonContentType } from '../http/json-body';
import type { Service } from '../service';
import { SOURCES } from '../sources/registry';
import { deliveryDetail, recentDeliveryRows } from './deliveries';
import { listExamples, readExample } from './examples';
import { safeJson } from './html';
import { playgroundPreview } from './playground';
import { receiverRows } from './receivers';
import { sendTestMessage } from './send-test';

/**
 * The console's JSON API (`/ui/api/*`). Every endpoint reads through the same functions as the
 * CLI commands (store queries, previewPayload, sendTest, dead-letter requeue), so the page and the
 * terminal never disagree. POSTs require `Content-Type: application/json`: a cross-site form cannot
 * send that without a CORS preflight (which is never granted), so basic-auth credentials the browser
 * remembers cannot be used to requeue or send from another site.
 */
type Handler = (req: Request, res: Response) => Promise<unknown> | unknown;

export function uiApi(service: Service): Router {
  const api = Router();
  const timezone = () => service.current.config.server.timezone;
  const post = [requireJsonContentType(false), (req: Request, res: Response, next: NextFunction) => rawBody(service.current.config.server.body_limit * 2 + 4096)(req, res, next)];

  api.get('/deliveries', json(async () => ({ timezone: timezone(), deliveries: await recentDeliveryRows(service.store, timezone()) })));
  api.get(
    '/deliveries/:id',
    json(async (req) => {
      const detail = await deliveryDetail(service.store, Number(req.params.id), timezone());
      if (!detail) throw new HttpError(404, `delivery ${String(req.params.id)} is no longer among the recent records`);
      return detail;
    }),
  );

  api.get('/dead-letters', json(async () => ({ deadLetters: await listDeadLetters(service.store, timezone()) })));
  const requeue = (target: string) => async () => {
    const outcome = await requeueDeadLetters(service.store, target, service.clock());
    // The worker would find the work on its next poll; kicking sends it now.
    for (const receiver of outcome.receivers) service.worker.kick(receiver);
    if (target !== 'all' && outcome.count === 0) throw new HttpError(404, outcome.message);
    return outcome;
  };
  api.post('/dead-letters/requeue-all', ...post, json(requeue('all')));
  api.post('/dead-letters/:id/requeue', ...post, json((req) => requeue(String(req.params.id))()));

  api.get('/receivers', json(async () => ({ receivers: await receiverRows(service, service.clock()) })));
  api.post('/receivers/:name/test', ...post, json((req) => sendTestMessage(service, String(req.params.name))));

  api.get('/examples', json(() => ({ sources: Object.keys(SOURCES), examples: listExamples() })));
  api.get(
    '/examples/:name',
    json((req) => {
      const found = readExample(String(req.params.name));
      if (!found) throw new HttpError(404, `no bundled example "${String(req.params.name)}"`);
      return { ...found.example, payload: found.text };
    }),
  );
  api.post('/preview', ...post, json((req) => playgroundPreview(service, parseJsonBody(req.body))));

  api.use((req, _res, next) => next(new HttpError(404, `no console API ${req.method} ${req.path}`)));
  return api;
}

/** json wraps a handler: its value is the response body; a thrown HttpError becomes `{"error", "path"}`. */
function json(handler: Handler) {
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
