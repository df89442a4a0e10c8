import { z } from 'zod';
import { parseDuration } from './duration';
import { parseSize } from './size';
import { MatcherSyntaxError, parseMatchers, type Matcher } from '../routing/matchers';

/** duration: a Prometheus-style duration (`30s`, `5m`, `1h`) parsed to milliseconds. */
export const duration = z.union([z.string(), z.number()]).transform((input, ctx) => {
  const ms = parseDuration(input);
  if (ms === undefined) {
    ctx.issues.push({ code: 'custom', input, message: `invalid duration ${JSON.stringify(input)} (use e.g. 500ms, 30s, 5m, 1h)` });
    return z.NEVER;
  }
  return ms;
});

/** byteSize: bytes as a number, or `512KiB`, `1MiB`. */
export const byteSize = z.union([z.string(), z.number()]).transform((input, ctx) => {
  const bytes = parseSize(input);
  if (bytes === undefined) {
    ctx.issues.push({ code: 'custom', input, message: `invalid size ${JSON.stringify(input)} (use e.g. 1MiB, 512KiB or a number of bytes)` });
    return z.NEVER;
  }
  return bytes;
});

/** matcherList: Alertmanager matcher strings, parsed (a string may hold several, comma separated). */
export const matcherList = z.array(z.string()).transform((inputs, ctx) => {
  const parsed: Matcher[] = [];
  inputs.forEach((input, index) => {
    try {
      parsed.push(...parseMatchers(input));
    } catch (err) {
      if (!(err instanceof MatcherSyntaxError)) throw err;
      ctx.issues.push({ code: 'custom', input, path: [index], message: err.message });
    }
  });
  return parsed;
});

/** timezone: an IANA zone name that this Node.js knows (`Asia/Shanghai`, `UTC`). */
export const timezone = z.string().refine(
  (zone) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'unknown time zone (use an IANA name such as Asia/Shanghai)' },
);

/** httpUrl: an absolute http(s) URL. */
export const httpUrl = z.string().refine((value) => /^https?:\/\/[^\s]+$/i.test(value), {
  message: 'must be an absolute http:// or https:// URL',
});

/** recipients: `a|b` or a YAML list; normalized to WeCom's `|`-joined form. */
export const recipients = z
  .union([z.string(), z.array(z.union([z.string(), z.number()]))])
  .transform((value) => (Array.isArray(value) ? value.map(String).join('|') : value).trim());

/** rateLimit: messages per window (WeCom robots allow 20 per minute). */
export const rateLimit = z
  .strictObject({
    count: z.number().int().positive().default(20),
    per: duration.default(60_000),
  })
  .prefault({});

/** requireOneOf adds a `required` issue at the first key when none of the alternatives is set. */
export function requireOneOf<T extends Record<string, unknown>>(value: T, keys: (keyof T & string)[], ctx: z.RefinementCtx): void {
  const present = keys.filter((key) => value[key] !== undefined && value[key] !== '');
  if (present.length === 0) {
    ctx.addIssue({ code: 'custom', path: [keys[0]], message: `required (set one of: ${keys.join(', ')})` });
  } else if (present.length > 1) {
    ctx.addIssue({ code: 'custom', path: [present[1]], message: `conflicts with ${present[0]}: set only one of ${keys.join(', ')}` });
  }
}
