/**
 * backoffDelay: exponential backoff with full jitter between attempts (AWS "full jitter"), bounded
 * by `maxMs`, never below `floorMs` (45009 asks for at least a minute). `random` is injectable.
 */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

export function backoffDelay(attempt: number, policy: BackoffPolicy, floorMs = 0, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, attempt - 1));
  // Half fixed, half jitter: spreads retries of many receivers without collapsing to zero.
  const delay = ceiling / 2 + random() * (ceiling / 2);
  return Math.max(floorMs, Math.round(delay));
}
