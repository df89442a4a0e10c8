import { Router } from 'express';
import type { Service } from '../../service';
import { receiverRows } from '../receivers';
import { sendTestMessage } from '../send-test';
import { json, postBody } from './json';

/** `/ui/api/receivers`: each receiver's rate window, queue and last results; send a test message. */
export function receiversApi(service: Service): Router {
  const api = Router();
  api.get('/receivers', json(async () => ({ receivers: await receiverRows(service, service.clock()) })));
  api.post('/receivers/:name/test', ...postBody(service), json((req) => sendTestMessage(service, String(req.params.name))));
  return api;
}
