/**
 * HttpError carries the status a failure should produce and, for payload errors, the path of the
 * failing field. One error middleware turns it into `{"error": …, "path": …}` (SPEC §3).
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly path?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** badPayload is the 400 of a payload that fails its source's schema. */
export function badPayload(message: string, path?: string): HttpError {
  return new HttpError(400, message, path);
}
