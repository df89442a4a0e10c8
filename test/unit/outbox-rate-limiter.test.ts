import { SlidingWindowLimiter, type RateLimit } from '../../src/outbox/rate-limiter';

const LIMIT: RateLimit = { count: 3, perMs: 60_000 };
const S = 1000;

describe('SlidingWindowLimiter', () => {
  it('allows count sends per window, then opens a slot when the oldest send leaves it', () => {
    const limiter = new SlidingWindowLimiter();
    expect(limiter.available('r', LIMIT, 0)).toBe(3);
    limiter.record('r', 0);
    limiter.record('r', 10 * S);
    expect(limiter.available('r', LIMIT, 15 * S)).toBe(1);
    limiter.record('r', 20 * S);
    expect(limiter.available('r', LIMIT, 30 * S)).toBe(0);
    expect(limiter.nextFreeAt('r', LIMIT, 30 * S)).toBe(60 * S);
    // A send exactly one window old no longer counts.
    expect(limiter.available('r', LIMIT, 60 * S - 1)).toBe(0);
    expect(limiter.available('r', LIMIT, 60 * S)).toBe(1);
    expect(limiter.nextFreeAt('r', LIMIT, 60 * S)).toBe(60 * S);
    expect(limiter.available('r', LIMIT, 80 * S)).toBe(3);
  });

  it.each<[number[], number, number, number]>([
    // sends, now, available, nextFreeAt
    [[], 0, 3, 0],
    [[0, 1 * S, 2 * S], 2 * S, 0, 60 * S],
    [[0, 1 * S, 2 * S], 60 * S, 1, 60 * S],
    [[0, 1 * S, 2 * S, 3 * S], 3 * S, 0, 61 * S], // over budget (e.g. seeded): wait for the send that frees a slot
    [[0, 1 * S, 2 * S, 3 * S, 4 * S], 4 * S, 0, 62 * S],
    [[0, 30 * S, 59 * S], 59 * S, 0, 60 * S],
    [[0, 30 * S, 59 * S], 61 * S, 1, 61 * S],
  ])('sends %j at now=%d → available %d, next free at %d', (sends, now, available, nextFreeAt) => {
    const limiter = new SlidingWindowLimiter();
    sends.forEach((at) => limiter.record('r', at));
    expect(limiter.available('r', LIMIT, now)).toBe(available);
    expect(limiter.nextFreeAt('r', LIMIT, now)).toBe(nextFreeAt);
  });

  it('keeps receivers apart', () => {
    const limiter = new SlidingWindowLimiter();
    [0, 1, 2].forEach((at) => limiter.record('a', at));
    expect(limiter.available('a', LIMIT, 3)).toBe(0);
    expect(limiter.available('b', LIMIT, 3)).toBe(3);
  });

  it('seeds past send times (unsorted, e.g. from the store after a restart) and replaces earlier state', () => {
    const limiter = new SlidingWindowLimiter();
    limiter.record('r', 50 * S);
    limiter.seed('r', [20 * S, 0, 10 * S]);
    expect(limiter.usedInWindow('r', LIMIT, 30 * S)).toBe(3);
    expect(limiter.nextFreeAt('r', LIMIT, 30 * S)).toBe(60 * S);
    expect(limiter.usedInWindow('r', LIMIT, 65 * S)).toBe(2);
  });

  it('is unlimited without a limit', () => {
    const limiter = new SlidingWindowLimiter();
    for (let i = 0; i < 100; i++) limiter.record('console', i);
    expect(limiter.available('console', undefined, 100)).toBe(Number.POSITIVE_INFINITY);
    expect(limiter.usedInWindow('console', undefined, 100)).toBe(100);
  });

  it('enforces the WeCom robot default of 20 per minute', () => {
    const robot: RateLimit = { count: 20, perMs: 60_000 };
    const limiter = new SlidingWindowLimiter();
    let sent = 0;
    // try to send every second for two minutes
    for (let now = 0; now < 120 * S; now += S) {
      if (limiter.available('r', robot, now) > 0) {
        limiter.record('r', now);
        sent++;
      }
    }
    expect(sent).toBe(40);
    expect(limiter.usedInWindow('r', robot, 119 * S)).toBe(20);
  });
});
