/**
 * SendResult: what a channel reports for one message. The channel decides whether a failure is
 * worth retrying; the outbox worker does the rest (retry, dead letter, metrics).
 * `reason` is short and stable (metric/log field); `error` is one sentence for operators and never
 * contains secrets.
 */
export type SendResult =
  | { ok: true; errcode: 0; warnings: string[] }
  | {
      ok: false;
      /** Retry later (with backoff), or give up now (dead letter). */
      retry: boolean;
      /** At least this long before the next attempt (45009: a minute). */
      retryAfterMs?: number;
      reason: string;
      errcode?: number;
      httpStatus?: number;
      error: string;
    };

export function sendOk(warnings: string[] = []): SendResult {
  return { ok: true, errcode: 0, warnings };
}
