import { HttpError } from '../http/errors';
import { parseJsonBody } from '../http/json-body';
import { previewPayload, type Preview } from '../pipeline/preview';
import type { Service } from '../service';

/**
 * The template playground's dry run: the payload text is read under the same rules as a webhook
 * body (size limit, strict UTF-8, JSON, dangerous keys dropped) and then goes through the very
 * previewPayload the `render` command uses, so the console shows what the service would send.
 */
export function playgroundPreview(service: Service, request: unknown): Preview {
  const input = (request ?? {}) as Record<string, unknown>;
  if (typeof input.source !== 'string' || input.source === '') throw new HttpError(400, 'pick a source', 'source');
  if (typeof input.payload !== 'string') throw new HttpError(400, 'paste a payload (JSON text)', 'payload');
  if (input.receiver !== undefined && input.receiver !== null && typeof input.receiver !== 'string') throw new HttpError(400, 'receiver must be a name', 'receiver');
  const state = service.current;
  const bytes = Buffer.from(input.payload, 'utf8');
  if (bytes.length > state.config.server.body_limit) throw new HttpError(413, `payload of ${bytes.length} bytes is over server.body_limit (${state.config.server.body_limit}); the webhook would answer 413`);
  const body = parseJsonBody(bytes);
  return previewPayload(state, input.source, body, service.clock(), (input.receiver as string | null | undefined) || undefined);
}
