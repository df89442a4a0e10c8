import type { HttpOutcome } from './http-client';
import { errcodeInfo } from './errcodes';
import type { SendResult } from './send-result';

/**
 * classifyOutcome is the one place where an HTTP outcome becomes ok / retry / permanent
 * (wecom-api.md §4): WeCom answers HTTP 200 with `errcode`, so the body is always parsed, and
 * errcode != 0 is a failure. Token errcodes come back as `reason: token_*` with retry=true; the app
 * channel handles them before they reach the outbox.
 */
export interface WecomAnswer {
  errcode: number;
  errmsg?: string;
  [field: string]: unknown;
}

export type Classified = { result: SendResult; answer?: WecomAnswer };

export function classifyOutcome(outcome: HttpOutcome, rateLimitedBackoffMs: number): Classified {
  if (outcome.kind === 'network') {
    return { result: { ok: false, retry: true, reason: outcome.timeout ? 'timeout' : 'network', error: outcome.error } };
  }
  const { status, text } = outcome;
  if (status >= 500 || status === 429) {
    return { result: { ok: false, retry: true, reason: `http_${status}`, httpStatus: status, error: `WeCom answered HTTP ${status}` } };
  }
  if (status < 200 || status >= 300) {
    const hint = status === 407 ? ' (the proxy requires authentication: check wecom.proxy)' : status === 404 ? ' (check wecom.api_base / robot url)' : '';
    return { result: { ok: false, retry: false, reason: `http_${status}`, httpStatus: status, error: `WeCom answered HTTP ${status}${hint}` } };
  }
  const answer = parseAnswer(text);
  if (!answer) {
    // Typically an intercepting proxy or gateway page: worth retrying (Alertmanager does too).
    return { result: { ok: false, retry: true, reason: 'bad_response', httpStatus: status, error: `WeCom answered HTTP ${status} without a JSON errcode: ${text.slice(0, 120)}` } };
  }
  if (answer.errcode === 0) return { result: { ok: true, errcode: 0, warnings: [] }, answer };
  const info = errcodeInfo(answer.errcode);
  const error = `errcode ${answer.errcode}: ${info.hint}${answer.errmsg ? ` [errmsg: ${answer.errmsg.slice(0, 200)}]` : ''}`;
  return {
    result: {
      ok: false,
      retry: info.class !== 'permanent',
      retryAfterMs: info.class === 'rate_limited' ? rateLimitedBackoffMs : undefined,
      reason: info.reason,
      errcode: answer.errcode,
      httpStatus: status,
      error,
    },
    answer,
  };
}

function parseAnswer(text: string): WecomAnswer | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === 'object' && typeof (value as WecomAnswer).errcode === 'number') return value as WecomAnswer;
  } catch {
    // not JSON
  }
  return undefined;
}
