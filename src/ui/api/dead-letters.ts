import { Router } from 'express';
import { listDeadLetters, requeueDeadLetters } from '../../commands/dead-letters-core';
import { HttpError } from '../../http/errors';
import type { Service } from '../../service';
import { alertLines, attemptRow, notificationRow } from '../notification-rows';
import { json, postBody } from './json';

/**
 * `/ui/api/dead-letters`: the dead-letter list as the `dead-letters` command prints it, plus the
 * alert names of each letter; `/:id` opens one (its alerts or message, attempts, reason); requeue
 * one or all (state-changing: JSON POST, CSRF token for browser sessions).
 */
const MAX_LISTED = 500;

export function deadLettersApi(service: Service): Router {
  const api = Router();
  const timezone = () => service.current.config.server.timezone;
  const post = postBody(service);

  api.get(
    '/dead-letters',
    json(async () => {
      const [rows, entries] = await Promise.all([listDeadLetters(service.store, timezone()), service.store.notifications({ state: 'dead', limit: MAX_LISTED })]);
      const names = new Map(entries.map((entry) => [entry.id, entry.summary.names]));
      return { deadLetters: rows.map((row) => ({ ...row, names: names.get(row.id) ?? [] })) };
    }),
  );

  api.get(
    '/dead-letters/count',
    json(async () => ({ count: Object.values(await service.store.deadCounts()).reduce((sum, n) => sum + n, 0) })),
  );

  api.get(
    '/dead-letters/:id',
    json(async (req) => {
      const id = String(req.params.id);
      const entry = await service.store.notification(id);
      if (!entry || entry.state !== 'dead') throw new HttpError(404, `no dead letter ${id} (requeued or never dead)`);
      const letter = (await listDeadLetters(service.store, timezone())).find((row) => row.id === id);
      return {
        deadLetter: letter,
        notification: notificationRow(entry, timezone()),
        content: alertLines(entry.notification, timezone()),
        attempts: (await service.store.deliveriesOf(id, 50)).map((record) => attemptRow(record, id, timezone())),
      };
    }),
  );

  const requeue = (target: string) => async () => {
    const outcome = await requeueDeadLetters(service.store, target, service.clock());
    // The worker would find the work on its next poll; kicking sends it now.
    for (const receiver of outcome.receivers) service.worker.kick(receiver);
    if (target !== 'all' && outcome.count === 0) throw new HttpError(404, outcome.message);
    return outcome;
  };
  api.post('/dead-letters/requeue-all', ...post, json(requeue('all')));
  api.post('/dead-letters/:id/requeue', ...post, json((req) => requeue(String(req.params.id))()));
  return api;
}
