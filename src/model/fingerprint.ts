/**
 * labelsFingerprint computes Prometheus' label-set fingerprint: FNV-1a 64 over the labels sorted by
 * name, feeding name, 0xff, value, 0xff; printed as 16 lowercase hex digits. It reproduces the
 * fingerprints Alertmanager ≥ 0.19 sends, so older senders get the same identity.
 */
const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;
const SEPARATOR = 0xff;

export function labelsFingerprint(labels: Record<string, string>): string {
  let hash = FNV_OFFSET;
  const feed = (bytes: Uint8Array) => {
    for (const byte of bytes) hash = ((hash ^ BigInt(byte)) * FNV_PRIME) & MASK;
  };
  const encoder = new TextEncoder();
  const separator = Uint8Array.of(SEPARATOR);
  for (const name of Object.keys(labels).sort()) {
    feed(encoder.encode(name));
    feed(separator);
    feed(encoder.encode(labels[name]));
    feed(separator);
  }
  return hash.toString(16).padStart(16, '0');
}

/** identityFingerprint hashes identity parts (e.g. Kibana rule.id + alert.id) the same way. */
export function identityFingerprint(parts: Record<string, string>): string {
  return labelsFingerprint(parts);
}
