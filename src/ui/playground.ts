import { HttpError } from '../http/errors';
import { parseJsonBody } from '../http/json-body';
import { previewPayload, type Preview } from '../pipeline/preview';
import type { RuntimeState } from '../runtime-state';
import type { Service } from '../service';

/**
 * The template playground's dry run: the payload text is read under the same rules as a webhook
 * body (size limit, strict UTF-8, JSON, dangerous keys dropped) and then goes through the very
 * previewPayload the `render` command uses, so the console shows what the service would send.
 * At most MAX_PREVIEW_ALERTS alerts are rendered (a storm of thousands would hold the event loop
 * for seconds); the answer says when the payload was cut.
 */
export const MAX_PREVIEW_ALERTS = 500;

/** parsePlaygroundPayload validates source + payload text and caps the alerts previewed. */
export function parsePlaygroundPayload(state: RuntimeState, input: Record<string, unknown>): { body: unknown; capped?: { previewed: number; total: number } } {
  if (typeof input.source !== 'string' || input.source === '') throw new HttpError(400, 'pick a source', 'source');
  if (typeof input.payload !== 'string') throw new HttpError(400, 'paste a payload (JSON text)', 'payload');
  if (input.receiver !== undefined && input.receiver !== null && typeof input.receiver !== 'string') throw new HttpError(400, 'receiver must be a name', 'receiver');
  const bytes = Buffer.from(input.payload, 'utf8');
  if (bytes.length > state.config.server.body_limit) throw new HttpError(413, `payload of ${bytes.length} bytes is over server.body_limit (${state.config.server.body_limit}); the webhook would answer 413`);
  const body = parseJsonBody(bytes);
  const alerts = (body as { alerts?: unknown })?.alerts;
  if (Array.isArray(alerts) && alerts.length > MAX_PREVIEW_ALERTS) {
    return { body: { ...(body as object), alerts: alerts.slice(0, MAX_PREVIEW_ALERTS) }, capped: { previewed: MAX_PREVIEW_ALERTS, total: alerts.length } };
  }
  return { body };
}

export function playgroundPreview(service: Service, request: unknown): Preview & { capped?: { previewed: number; total: number } } {
  const input = (request ?? {}) as Record<string, unknown>;
  const state = service.current;
  const { body, capped } = parsePlaygroundPayload(state, input);
  return { ...previewPayload(state, String(input.source), body, service.clock(), (input.receiver as string | null | undefined) || undefined), ...(capped ? { capped } : {}) };
}
