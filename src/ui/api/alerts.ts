import { Router } from 'express';
import { HttpError } from '../../http/errors';
import type { HistoryStore } from '../../history/history-store';
import { NOTIFICATION_SCAN } from '../../outbox/notification-log';
import { MatcherSyntaxError, parseMatchers, type Matcher } from '../../routing/matchers';
import type { Service } from '../../service';
import { SOURCES } from '../../sources/registry';
import { alertRow, deliveryIndex } from '../alert-rows';
import { json, queryEnum, queryLimit, queryText, queryTime } from './json';

/**
 * `/ui/api/alerts`: what is firing now (each alert's last record is `firing`) and the searchable
 * history (name, Alertmanager label matchers, receiver, source, status, time range), from the
 * alert history store, joined with the notification log to say where each alert went. Both need
 * `delivery.history_retention` history (always on; 404 when the service runs without one).
 */
const FIRING_LIMIT = 500;

export function alertsApi(service: Service): Router {
  const api = Router();
  const timezone = () => service.current.config.server.timezone;
  const history = (): HistoryStore => {
    if (!service.history) throw new HttpError(404, 'this service keeps no alert history (storage)');
    return service.history;
  };
  const index = async () => deliveryIndex(await service.store.notifications({ limit: NOTIFICATION_SCAN }));

  api.get(
    '/alerts/firing',
    json(async () => {
      const [current, deliveries] = await Promise.all([history().current(FIRING_LIMIT * 2), index()]);
      const firing = current.filter((record) => record.status === 'firing').slice(0, FIRING_LIMIT);
      return { timezone: timezone(), limit: FIRING_LIMIT, alerts: firing.map((record) => alertRow(record, deliveries, timezone())) };
    }),
  );

  api.get(
    '/alerts/history',
    json(async (req) => {
      const text = queryText(req, 'matchers');
      let matchers: Matcher[] | undefined;
      try {
        matchers = text ? parseMatchers(text) : undefined;
      } catch (err) {
        if (err instanceof MatcherSyntaxError) throw new HttpError(400, `matchers: ${err.message}`, 'matchers');
        throw err;
      }
      const receiver = queryText(req, 'receiver');
      const deliveries = await index();
      const fingerprints = receiver ? new Set([...deliveries].filter(([, entries]) => entries.some((entry) => entry.receiver === receiver)).map(([fingerprint]) => fingerprint)) : undefined;
      const result = await history().search({
        name: queryText(req, 'name'),
        matchers,
        source: queryEnum(req, 'source', Object.keys(SOURCES)),
        status: queryEnum(req, 'status', ['firing', 'resolved'] as const),
        from: queryTime(req, 'from'),
        to: queryTime(req, 'to'),
        fingerprints,
        limit: queryLimit(req, 200, 1000),
      });
      return { timezone: timezone(), scanned: result.scanned, truncated: result.truncated, alerts: result.records.map((record) => alertRow(record, deliveries, timezone())) };
    }),
  );
  return api;
}
