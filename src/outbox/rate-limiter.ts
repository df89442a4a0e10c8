/**
 * RateLimiter keeps a sliding-window log of sends per receiver, so a robot never gets more than
 * `count` messages in any window of `perMs` from us (WeCom: 20 per minute, 45009 beyond). The log
 * is seeded from the outbox's delivery records at start, so a restart does not reset the budget.
 */
export interface RateLimit {
  count: number;
  perMs: number;
}

export class SlidingWindowLimiter {
  private readonly sends = new Map<string, number[]>();

  /** seed loads past send times (from the store) for a receiver. */
  seed(receiver: string, times: number[]): void {
    this.sends.set(receiver, [...times].sort((a, b) => a - b));
  }

  /** available: how many more messages may go to the receiver right now. */
  available(receiver: string, limit: RateLimit | undefined, now: number): number {
    if (!limit) return Number.POSITIVE_INFINITY;
    return Math.max(0, limit.count - this.window(receiver, limit, now).length);
  }

  /** nextFreeAt: when the oldest send in the window leaves it (the next slot opens). */
  nextFreeAt(receiver: string, limit: RateLimit, now: number): number {
    const window = this.window(receiver, limit, now);
    if (window.length < limit.count) return now;
    return window[window.length - limit.count] + limit.perMs;
  }

  /** usedInWindow: sends inside the current window (for the web console and logs). */
  usedInWindow(receiver: string, limit: RateLimit | undefined, now: number): number {
    return limit ? this.window(receiver, limit, now).length : (this.sends.get(receiver)?.length ?? 0);
  }

  record(receiver: string, at: number): void {
    const list = this.sends.get(receiver) ?? [];
    list.push(at);
    this.sends.set(receiver, list);
  }

  private window(receiver: string, limit: RateLimit, now: number): number[] {
    const list = this.sends.get(receiver) ?? [];
    const from = now - limit.perMs;
    let drop = 0;
    while (drop < list.length && list[drop] <= from) drop++;
    if (drop > 0) list.splice(0, drop);
    return list;
  }
}
