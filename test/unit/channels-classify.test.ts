import { classifyOutcome } from '../../src/channels/classify';
import { errcodeInfo, KNOWN_ERRCODES } from '../../src/channels/errcodes';
import type { HttpOutcome } from '../../src/channels/http-client';

const RATE_LIMITED_BACKOFF = 60_000;
const ok200 = (body: unknown): HttpOutcome => ({ kind: 'response', status: 200, text: typeof body === 'string' ? body : JSON.stringify(body) });

describe('classifyOutcome: HTTP outcome classes', () => {
  it.each<[string, HttpOutcome, { ok: boolean; retry?: boolean; reason?: string; httpStatus?: number; error?: string }]>([
    ['network error', { kind: 'network', error: 'ECONNREFUSED 1.2.3.4:443', timeout: false }, { ok: false, retry: true, reason: 'network', error: 'ECONNREFUSED 1.2.3.4:443' }],
    ['timeout', { kind: 'network', error: 'timed out after 10000ms', timeout: true }, { ok: false, retry: true, reason: 'timeout', error: 'timed out after 10000ms' }],
    ['HTTP 500', { kind: 'response', status: 500, text: 'oops' }, { ok: false, retry: true, reason: 'http_500', httpStatus: 500, error: 'WeCom answered HTTP 500' }],
    ['HTTP 502', { kind: 'response', status: 502, text: '<html>Bad Gateway</html>' }, { ok: false, retry: true, reason: 'http_502', httpStatus: 502, error: 'WeCom answered HTTP 502' }],
    ['HTTP 503', { kind: 'response', status: 503, text: '' }, { ok: false, retry: true, reason: 'http_503', httpStatus: 503, error: 'WeCom answered HTTP 503' }],
    ['HTTP 429', { kind: 'response', status: 429, text: '' }, { ok: false, retry: true, reason: 'http_429', httpStatus: 429, error: 'WeCom answered HTTP 429' }],
    [
      'HTTP 404',
      { kind: 'response', status: 404, text: 'not found' },
      { ok: false, retry: false, reason: 'http_404', httpStatus: 404, error: 'WeCom answered HTTP 404 (check wecom.api_base / robot url)' },
    ],
    [
      'HTTP 407',
      { kind: 'response', status: 407, text: '' },
      { ok: false, retry: false, reason: 'http_407', httpStatus: 407, error: 'WeCom answered HTTP 407 (the proxy requires authentication: check wecom.proxy)' },
    ],
    ['HTTP 400', { kind: 'response', status: 400, text: '' }, { ok: false, retry: false, reason: 'http_400', httpStatus: 400, error: 'WeCom answered HTTP 400' }],
    ['HTTP 301', { kind: 'response', status: 301, text: '' }, { ok: false, retry: false, reason: 'http_301', httpStatus: 301, error: 'WeCom answered HTTP 301' }],
    [
      '200 non-JSON',
      ok200('<html>portal login</html>'),
      { ok: false, retry: true, reason: 'bad_response', httpStatus: 200, error: 'WeCom answered HTTP 200 without a JSON errcode: <html>portal login</html>' },
    ],
    ['200 JSON without errcode', ok200({ status: 'ok' }), { ok: false, retry: true, reason: 'bad_response', httpStatus: 200 }],
    ['200 errcode as a string', ok200({ errcode: '0' }), { ok: false, retry: true, reason: 'bad_response', httpStatus: 200 }],
    ['200 errcode 0', ok200({ errcode: 0, errmsg: 'ok' }), { ok: true }],
  ])('%s', (_name, outcome, expected) => {
    const { result } = classifyOutcome(outcome, RATE_LIMITED_BACKOFF);
    expect(result).toMatchObject(expected);
    if (!result.ok) expect(result.retryAfterMs).toBeUndefined();
  });

  it('keeps only the first 120 characters of a non-JSON body', () => {
    const { result } = classifyOutcome(ok200('x'.repeat(500)), RATE_LIMITED_BACKOFF);
    expect(!result.ok && result.error).toBe(`WeCom answered HTTP 200 without a JSON errcode: ${'x'.repeat(120)}`);
  });

  it('returns the parsed answer for errcode 0 so callers can read other fields', () => {
    expect(classifyOutcome(ok200({ errcode: 0, errmsg: 'ok', invaliduser: 'a|b' }), RATE_LIMITED_BACKOFF)).toEqual({
      result: { ok: true, errcode: 0, warnings: [] },
      answer: { errcode: 0, errmsg: 'ok', invaliduser: 'a|b' },
    });
  });
});

/** Expected classification of every documented errcode (SPEC §6, wecom-api.md §4). */
const ERRCODES: [number, boolean, string][] = [
  [-1, true, 'system_busy'],
  [40001, false, 'invalid_secret'],
  [40003, false, 'invalid_userid'],
  [40008, false, 'invalid_msgtype'],
  [40013, false, 'invalid_corpid'],
  [40014, true, 'invalid_token'],
  [40031, false, 'invalid_user_list'],
  [40032, false, 'too_many_users'],
  [40056, false, 'invalid_agentid'],
  [40058, false, 'invalid_parameter'],
  [41001, true, 'missing_token'],
  [42001, true, 'token_expired'],
  [44004, false, 'empty_content'],
  [45002, false, 'content_too_long'],
  [45009, true, 'rate_limited'],
  [45033, true, 'too_many_concurrent'],
  [45034, false, 'url_without_scheme'],
  [48002, false, 'api_forbidden'],
  [50002, false, 'out_of_scope'],
  [60011, false, 'no_privilege'],
  [60020, false, 'untrusted_ip'],
  [81013, false, 'all_recipients_invalid'],
  [82001, false, 'no_recipients'],
  [82002, false, 'too_many_parties'],
  [82003, false, 'too_many_tags'],
  [93000, false, 'invalid_webhook'],
  [93004, false, 'robot_disabled'],
  [93008, false, 'robot_not_in_group'],
  [301002, false, 'agent_mismatch'],
  [99999, false, 'wecom_error'],
];

describe('classifyOutcome: every errcode', () => {
  it('covers every errcode in KNOWN_ERRCODES plus an unknown one', () => {
    expect(ERRCODES.map(([code]) => code).filter((code) => code !== 99999).sort((a, b) => a - b)).toEqual([...KNOWN_ERRCODES].sort((a, b) => a - b));
  });

  it.each(ERRCODES)('errcode %d → retry %s, reason %s', (errcode, retry, reason) => {
    const { result, answer } = classifyOutcome(ok200({ errcode, errmsg: `msg ${errcode}` }), RATE_LIMITED_BACKOFF);
    expect(result).toEqual({
      ok: false,
      retry,
      retryAfterMs: errcode === 45009 ? RATE_LIMITED_BACKOFF : undefined,
      reason,
      errcode,
      httpStatus: 200,
      error: `errcode ${errcode}: ${errcodeInfo(errcode).hint} [errmsg: msg ${errcode}]`,
    });
    expect(answer).toEqual({ errcode, errmsg: `msg ${errcode}` });
  });

  it('gives 45009 the configured rate-limited backoff', () => {
    const { result } = classifyOutcome(ok200({ errcode: 45009 }), 90_000);
    expect(!result.ok && result.retryAfterMs).toBe(90_000);
  });

  it('omits the errmsg part when WeCom sends none and caps a long errmsg at 200 characters', () => {
    const none = classifyOutcome(ok200({ errcode: 93000 }), RATE_LIMITED_BACKOFF).result;
    expect(!none.ok && none.error).toBe(`errcode 93000: ${errcodeInfo(93000).hint}`);
    const long = classifyOutcome(ok200({ errcode: 93000, errmsg: 'e'.repeat(300) }), RATE_LIMITED_BACKOFF).result;
    expect(!long.ok && long.error.endsWith(`[errmsg: ${'e'.repeat(200)}]`)).toBe(true);
  });
});
