import type { Config } from '../config/schema';

/**
 * uiSettings reads `server.ui`, which is either a switch (`true` / `false`) or an object
 * `{ enabled, edit_templates }`; the console and its template editor read only this.
 */
export interface UiSettings {
  enabled: boolean;
  /** The template editor may save into the `templates` directory. */
  editTemplates: boolean;
}

export function uiSettings(config: Config): UiSettings {
  const ui = config.server.ui;
  if (typeof ui === 'boolean') return { enabled: ui, editTemplates: false };
  return { enabled: ui.enabled, editTemplates: ui.edit_templates };
}
