import { FIXED_NOW } from './fixtures';

/**
 * runningFromFixedNow is a clock that starts at FIXED_NOW (2025-03-18 12:00:00 +08:00) and then
 * advances in real time, so a running service retries and times out as usual while the times and
 * durations it renders ("10:13 起，已持续 1h46m") are those of the golden files: a test can pin an
 * exact delivered body. Rendered durations are minutes, so they hold for the first minute.
 */
export function runningFromFixedNow(): () => number {
  const offset = Date.now() - FIXED_NOW;
  return () => Date.now() - offset;
}
