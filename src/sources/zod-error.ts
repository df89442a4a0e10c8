import type { z } from 'zod';
import { formatPath } from '../config/format-path';
import { badPayload, type HttpError } from '../http/errors';

/** payloadError converts the first zod issue of a payload into a 400 naming its path (`alerts[0].status`). */
export function payloadError(error: z.ZodError, what: string): HttpError {
  const issue = error.issues[0];
  const path = formatPath(issue.path);
  const input = (issue as { input?: unknown }).input;
  const reason = issue.code === 'invalid_type' && input === undefined ? 'required' : issue.message;
  return badPayload(`invalid ${what}: ${path ? `${path}: ` : ''}${reason}`, path || undefined);
}
