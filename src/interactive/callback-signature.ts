import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The callback signature (加解密方案说明 /90968): msg_signature = lower-case hex
 * sha1 of the four strings token, timestamp, nonce and the ciphertext, sorted and concatenated.
 */
export function callbackSignature(token: string, timestamp: string, nonce: string, encrypted: string): string {
  return createHash('sha1').update([token, timestamp, nonce, encrypted].sort().join('')).digest('hex');
}

/** signatureMatches compares in constant time (a 40-hex value; anything else simply does not match). */
export function signatureMatches(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given.toLowerCase(), 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * timestampFresh: WeCom's `timestamp` (seconds) lies within `windowMs` of now. Retries of one event
 * carry its original timestamp and come within seconds, so a few minutes accepts them while a
 * captured request replayed later is refused.
 */
export function timestampFresh(timestamp: string, nowMs: number, windowMs: number): boolean {
  if (!/^\d{1,12}$/.test(timestamp)) return false;
  return Math.abs(nowMs - Number(timestamp) * 1000) <= windowMs;
}
