/**
 * parseSize parses a byte size: a number of bytes, or `512KiB`, `1MiB`, `1MB`, `100kb`.
 * Returns undefined when the text is not a size.
 */
const SIZE_RE = /^(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib)?$/i;
const FACTOR: Record<string, number> = {
  b: 1,
  kb: 1000,
  kib: 1024,
  mb: 1_000_000,
  mib: 1024 * 1024,
  gb: 1_000_000_000,
  gib: 1024 * 1024 * 1024,
};

export function parseSize(input: string | number): number | undefined {
  if (typeof input === 'number') return Number.isInteger(input) && input > 0 ? input : undefined;
  const match = SIZE_RE.exec(input.trim());
  if (!match) return undefined;
  const bytes = Math.floor(Number(match[1]) * FACTOR[(match[2] ?? 'b').toLowerCase()]);
  return bytes > 0 ? bytes : undefined;
}
