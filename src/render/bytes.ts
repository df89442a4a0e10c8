/** UTF-8 byte helpers. WeCom limits are bytes, not characters (a CJK character is 3 B, an emoji 4 B). */

/** byteLength is the UTF-8 size of a string. */
export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** TRUNCATION_MARKER is appended wherever content was cut, so readers see that something is missing. */
export const TRUNCATION_MARKER = '…(内容过长已截断)';

/** cutMarker says how much was cut: `…（已截断 1,234 字节）`. */
export function cutMarker(bytesCut: number): string {
  return `…（已截断 ${bytesCut.toLocaleString('en-US')} 字节）`;
}

/**
 * truncateBytesSaying cuts like truncateBytes but ends with a marker that says how many bytes were
 * cut, so a reader knows whether the rest matters. The marker's own length depends on the number,
 * so the cut is computed with the widest marker the text could need.
 */
export function truncateBytesSaying(text: string, maxBytes: number): string {
  const total = byteLength(text);
  if (total <= maxBytes) return text;
  const widest = cutMarker(total);
  const cut = truncateBytes(text, maxBytes, widest);
  if (!cut.endsWith(widest)) return cut; // too small for any marker
  const kept = cut.slice(0, cut.length - widest.length);
  return kept + cutMarker(total - byteLength(kept));
}

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
