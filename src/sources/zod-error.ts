import type { z } from 'zod';
import { formatPath } from '../config/format-path';
import { badPayload, type HttpError } from '../errors/http-error';

/** payloadError converts the first zod issue of a payload into a 400 naming its path (`alerts[0].status`). */
export function payloadError(error: z.ZodError, what: string): HttpError {
  const issue = error.issues[0];
  const path = formatPath(issue.path);
  // zod 4 issues carry no `input`; a missing field is the invalid_type whose message ends in "received undefined".
  const reason = issue.code === 'invalid_type' ? (/received undefined$/.test(issue.message) ? 'required' : issue.message.replace(/^Invalid input: /, '')) : issue.message;
  return badPayload(`invalid ${what}: ${path ? `${path}: ` : ''}${reason}`, path || undefined);
}
