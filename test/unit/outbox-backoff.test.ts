import { backoffDelay, type BackoffPolicy } from '../../src/outbox/backoff';

const POLICY: BackoffPolicy = { initialMs: 1_000, maxMs: 300_000 };

describe('backoffDelay', () => {
  it.each<[number, number, number]>([
    // attempt, random, delay: ceiling = min(max, initial·2^(attempt-1)); delay in [ceiling/2, ceiling]
    [1, 0, 500],
    [1, 0.5, 750],
    [1, 1, 1_000],
    [2, 0, 1_000],
    [2, 1, 2_000],
    [3, 0.5, 3_000],
    [5, 0, 8_000],
    [5, 1, 16_000],
    [9, 1, 256_000],
    [10, 1, 300_000], // 512 s capped at max
    [10, 0, 150_000],
    [50, 0.5, 225_000],
    [0, 1, 1_000], // attempt 0 is treated as the first
  ])('attempt %d with random %d → %d ms', (attempt, random, delay) => {
    expect(backoffDelay(attempt, POLICY, 0, () => random)).toBe(delay);
  });

  it('never goes below the floor (45009 asks for a minute)', () => {
    expect(backoffDelay(1, POLICY, 60_000, () => 0)).toBe(60_000);
    expect(backoffDelay(10, POLICY, 60_000, () => 1)).toBe(300_000);
  });

  it('grows with the attempt until the bound, for a fixed random', () => {
    const delays = Array.from({ length: 12 }, (_, i) => backoffDelay(i + 1, POLICY, 0, () => 0.25));
    for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThanOrEqual(delays[i - 1]);
    expect(delays[0]).toBe(625);
    expect(delays[11]).toBe(187_500);
  });

  it('stays within [ceiling/2, ceiling] with the real random source', () => {
    for (let i = 0; i < 200; i++) {
      const delay = backoffDelay(4, POLICY);
      expect(delay).toBeGreaterThanOrEqual(4_000);
      expect(delay).toBeLessThanOrEqual(8_000);
    }
  });

  it('returns whole milliseconds', () => {
    expect(backoffDelay(1, { initialMs: 3, maxMs: 10 }, 0, () => 0.3)).toBe(2);
  });
});
