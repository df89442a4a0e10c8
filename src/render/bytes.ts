/** UTF-8 byte helpers. WeCom limits are bytes, not characters (a CJK character is 3 B, an emoji 4 B). */

/** byteLength is the UTF-8 size of a string. */
export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** TRUNCATION_MARKER is appended wherever content was cut, so readers see that something is missing. */
export const TRUNCATION_MARKER = '…(内容过长已截断)';

/**
 * truncateBytes cuts `text` so that it plus `marker` fits in `maxBytes`, never inside a UTF-8
 * sequence. Returns the text unchanged when it already fits.
 */
export function truncateBytes(text: string, maxBytes: number, marker = '…'): string {
  const buffer = Buffer.from(text, 'utf8');
  if (buffer.length <= maxBytes) return text;
  const room = Math.max(0, maxBytes - byteLength(marker));
  let end = room;
  // Step back over continuation bytes (10xxxxxx) so the cut lands on a code point boundary.
  while (end > 0 && (buffer[end] & 0xc0) === 0x80) end--;
  return buffer.subarray(0, end).toString('utf8') + (maxBytes >= byteLength(marker) ? marker : '');
}
