import { Router } from 'express';
import type { Service } from '../../service';
import { formatDate } from '../../render/time-format';
import { json } from './json';

/**
 * `/ui/api/unknown-receivers`: the last webhooks that named a receiver the config does not have
 * (answered 404, which the sender drops), newest first, with times in server.timezone — a URL typo
 * to fix. Kept in memory by this process (src/unknown-receivers/).
 */
export function unknownReceiversApi(service: Service): Router {
  const api = Router();
  api.get(
    '/unknown-receivers',
    json(() => {
      const timezone = service.current.config.server.timezone;
      return { timezone, unknownReceivers: service.unknownReceivers.recent().map((entry) => ({ ...entry, time: formatDate(entry.at, timezone) })) };
    }),
  );
  return api;
}
