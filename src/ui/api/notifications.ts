import { Router } from 'express';
import { HttpError } from '../../http/errors';
import type { Service } from '../../service';
import { SOURCES } from '../../sources/registry';
import { deliveryDetail, recentDeliveryRows } from '../deliveries';
import { alertLines, attemptRow, notificationRow } from '../notification-rows';
import { json, queryEnum, queryLimit, queryText, queryTime } from './json';

/**
 * `/ui/api/notifications`: one row per notification (outbox job) with its current state, filtered
 * by receiver, state, source, alert name, fingerprint and time; `/:id` adds the alerts it carries,
 * every attempt with WeCom's answer and the exact body sent, and the dead-letter reason.
 * `/ui/api/deliveries` (the raw send log) stays for scripts written against the first console.
 */
const STATES = ['queued', 'sending', 'retrying', 'sent', 'dead'] as const;
const ATTEMPTS = 50;

export function notificationsApi(service: Service): Router {
  const api = Router();
  const timezone = () => service.current.config.server.timezone;

  api.get(
    '/notifications',
    json(async (req) => {
      const query = {
        receiver: queryText(req, 'receiver'),
        state: queryEnum(req, 'state', STATES),
        source: queryEnum(req, 'source', [...Object.keys(SOURCES), 'api', 'digest']),
        name: queryText(req, 'name'),
        fingerprint: queryText(req, 'fingerprint'),
        from: queryTime(req, 'from'),
        to: queryTime(req, 'to'),
        limit: queryLimit(req, 100, 500),
      };
      const entries = await service.store.notifications(query);
      return { timezone: timezone(), now: service.clock(), notifications: entries.map((entry) => notificationRow(entry, timezone())) };
    }),
  );

  api.get(
    '/notifications/:id',
    json(async (req) => {
      const id = String(req.params.id);
      const entry = await service.store.notification(id);
      if (!entry) throw new HttpError(404, `notification ${id} is not in the log (sent notifications are kept for the newest 1000)`);
      const attempts = await service.store.deliveriesOf(id, ATTEMPTS);
      return {
        timezone: timezone(),
        now: service.clock(),
        notification: notificationRow(entry, timezone()),
        content: alertLines(entry.notification, timezone()),
        attempts: attempts.map((record) => attemptRow(record, id, timezone())),
      };
    }),
  );

  api.get('/deliveries', json(async () => ({ timezone: timezone(), deliveries: await recentDeliveryRows(service.store, timezone()) })));
  api.get(
    '/deliveries/:id',
    json(async (req) => {
      const detail = await deliveryDetail(service.store, Number(req.params.id), timezone());
      if (!detail) throw new HttpError(404, `delivery ${String(req.params.id)} is no longer among the recent records`);
      return detail;
    }),
  );
  return api;
}
