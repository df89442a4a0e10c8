import { Router } from 'express';
import { HttpError } from '../http/errors';
import type { Service } from '../service';
import { alertsApi } from './api/alerts';
import { deadLettersApi } from './api/dead-letters';
import { notificationsApi } from './api/notifications';
import { receiversApi } from './api/receivers';
import { templatesApi } from './api/templates';
import { unknownReceiversApi } from './api/unknown-receivers';
import { cardActionsApi } from './api/card-actions';

/**
 * The console's JSON API (`/ui/api/*`), one file per view under `api/`. Every endpoint reads
 * through the same functions as the CLI commands (store queries, previewPayload, sendTest,
 * dead-letter requeue), so the page and the terminal never disagree. State-changing endpoints are
 * JSON POSTs (see api/json.ts `postBody`); browser sessions also need the CSRF token
 * (session/console-auth.ts), which the router checks before any of these run.
 */
export function uiApi(service: Service): Router {
  const api = Router();
  api.use(alertsApi(service));
  api.use(notificationsApi(service));
  api.use(deadLettersApi(service));
  api.use(receiversApi(service));
  api.use(templatesApi(service));
  api.use(unknownReceiversApi(service));
  api.use(cardActionsApi(service));
  api.use((req, _res, next) => next(new HttpError(404, `no console API ${req.method} ${req.path}`)));
  return api;
}
