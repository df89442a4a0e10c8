import express, { Router, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics';
import type { CardActions } from './card-actions';
import { CallbackRejection } from './callback-errors';
import { cardClickOf } from './card-event';
import { openEvent, verifyUrl, type CallbackSettings } from './callback-verify';

/**
 * `GET|POST /wecom/callback/{receiver}` (SPEC §3): WeCom's callback URL of an app receiver with
 * `callback` set. It is not behind the inbound basic/bearer auth — WeCom cannot send those; the
 * message signature and the encryption are its authentication. GET is the URL verification
 * (answer the decrypted echostr as plain text); POST carries encrypted events, of which
 * `template_card_event` clicks are acted on. Everything is verified before anything is done;
 * forged requests get 401/400 with a generic reason, are counted and logged without secrets.
 * WeCom waits 5 s and retries otherwise, so the action runs before the answer and the card update
 * after it.
 */
export interface CallbackRouteDeps {
  settings: (receiver: string) => CallbackSettings | undefined;
  actions: CardActions;
  metrics: Metrics;
  logger: Logger;
  clock: () => number;
}

/** Callback bodies are a few hundred bytes; anything near this limit is not WeCom. */
const BODY_LIMIT = '64kb';

export function callbackRoutes(deps: CallbackRouteDeps): Router {
  const router = Router();
  const path = '/wecom/callback/:receiver';
  const count = (receiver: string, outcome: string) => deps.metrics.callbacks.inc({ receiver, outcome });

  const reject = (res: Response, receiver: string, err: unknown, req: Request) => {
    if (err instanceof CallbackRejection) {
      count(receiver, err.outcome);
      deps.logger.warn({ receiver, outcome: err.outcome, status: err.status, method: req.method, remote: req.socket.remoteAddress }, `WeCom callback refused: ${err.message}`);
      res.status(err.status).json({ error: err.message });
      return;
    }
    count(receiver, 'error');
    deps.logger.error({ receiver, err: String((err as Error)?.message ?? err) }, 'WeCom callback failed');
    // 500: WeCom retries, and the claim makes the retry safe.
    res.status(500).json({ error: 'internal error' });
  };

  const settingsOf = (req: Request, res: Response): CallbackSettings | undefined => {
    const receiver = String(req.params.receiver);
    const settings = deps.settings(receiver);
    if (!settings) {
      count('unknown', 'unknown_receiver');
      res.status(404).json({ error: `no app receiver "${receiver}" with callback configured` });
    }
    return settings;
  };

  router.get(path, (req, res) => {
    const settings = settingsOf(req, res);
    if (!settings) return;
    const receiver = String(req.params.receiver);
    try {
      const echo = verifyUrl(settings, req.query, deps.clock());
      count(receiver, 'verified');
      deps.logger.info({ receiver }, 'WeCom callback URL verified');
      // The plaintext exactly: no quotes, no newline, no BOM.
      res.status(200).type('text/plain').send(echo);
    } catch (err) {
      reject(res, receiver, err, req);
    }
  });

  router.post(path, express.text({ type: () => true, limit: BODY_LIMIT }), async (req, res) => {
    const settings = settingsOf(req, res);
    if (!settings) return;
    const receiver = String(req.params.receiver);
    try {
      const fields = openEvent(settings, req.query, typeof req.body === 'string' ? req.body : '', deps.clock());
      const click = cardClickOf(fields);
      if (!click) {
        count(receiver, 'ignored');
        res.status(200).send('');
        return;
      }
      const result = await deps.actions.handle(receiver, click);
      count(receiver, result.outcome);
      // Empty body = no passive reply; the card is updated through update_template_card.
      res.status(200).send('');
      if (result.after) void result.after().catch((err: unknown) => deps.logger.error({ receiver, err: String(err) }, 'post-action work failed'));
    } catch (err) {
      reject(res, receiver, err, req);
    }
  });

  router.all(path, (_req, res) => {
    res.status(405).json({ error: 'use GET (URL verification) or POST (events)' });
  });
  return router;
}
