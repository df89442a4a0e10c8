import { Router } from 'express';
import { HttpError } from '../../http/errors';
import { parseJsonBody } from '../../http/json-body';
import type { Service } from '../../service';
import { SOURCES } from '../../sources/registry';
import { listExamples, readExample } from '../examples';
import { playgroundPreview, MAX_PREVIEW_ALERTS } from '../playground';
import { uiSettings } from '../settings';
import { previewTemplate, saveTemplate } from '../template-editor';
import { listTemplateFiles, readTemplateFile, userTemplatesDir } from '../template-files';
import { json, postBody } from './json';

/**
 * `/ui/api/templates`: the template editor (list, read, live preview of an edited file, save when
 * `server.ui.edit_templates` allows) and the payload playground (`/preview`, `/examples`). A
 * partial's name carries a slash, sent encoded (`_partials%2Fmd_alert.hbs`).
 */
export function templatesApi(service: Service): Router {
  const api = Router();
  const post = postBody(service);

  api.get(
    '/templates',
    json(() => {
      const state = service.current;
      return {
        canSave: uiSettings(state.config).editTemplates && Boolean(userTemplatesDir(state)),
        editTemplates: uiSettings(state.config).editTemplates,
        directory: state.config.templates,
        maxPreviewAlerts: MAX_PREVIEW_ALERTS,
        templates: listTemplateFiles(state).map(({ name, origin, variant }) => ({ name, origin, variant })),
        receivers: [...state.channels.values()].map((channel) => ({ name: channel.name, kind: channel.kind, msgtype: channel.format.msgtype, variant: channel.format.variant, limit: channel.format.limit })),
      };
    }),
  );
  api.get(
    '/templates/:name',
    json((req) => {
      const name = String(req.params.name);
      const found = readTemplateFile(service.current, name);
      if (!found) throw new HttpError(404, `no template "${name}"`);
      return { name, origin: found.file.origin, variant: found.file.variant, text: found.text };
    }),
  );
  api.post('/templates/preview', ...post, json((req) => previewTemplate(service, parseJsonBody(req.body))));
  api.post('/templates/:name', ...post, json((req) => saveTemplate(service, String(req.params.name), parseJsonBody(req.body))));

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
  return api;
}
