import { Router } from 'express';
import type { Service } from '../../service';
import { formatDate } from '../../render/time-format';
import { json } from './json';

/**
 * `/ui/api/card-actions`: what was done from WeCom cards — the latest acknowledgements (who, which
 * alert, when, how long after it started) and the audit log of every action and refusal (who,
 * what, when, result), newest first, times in server.timezone. Empty lists without an action store.
 */
const LIMIT = 200;

export function cardActionsApi(service: Service): Router {
  const api = Router();
  api.get(
    '/card-actions',
    json(async () => {
      const timezone = service.current.config.server.timezone;
      const store = service.actions;
      const [acks, audit] = store ? await Promise.all([store.recentAcks(LIMIT), store.recentAudit(LIMIT)]) : [[], []];
      return {
        timezone,
        acks: acks.map((ack) => ({ ...ack, time: formatDate(ack.at, timezone), secondsToAck: Number.isNaN(Date.parse(ack.startsAt)) ? null : Math.max(0, Math.round((ack.at - Date.parse(ack.startsAt)) / 1000)) })),
        audit: audit.map((entry) => ({ ...entry, time: formatDate(entry.at, timezone) })),
      };
    }),
  );
  return api;
}
