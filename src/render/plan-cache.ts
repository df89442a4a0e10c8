/**
 * PlanCache remembers, per queued notification, where its remaining parts will be cut. A worker
 * sends one message at a time, but the part label `(1/400)` of the first needs the count of all
 * parts: without the cache a 10,000-alert notification would be planned again before each of its
 * 400 messages (quadratic). Plans are valid for one template engine, format and layout; a reload
 * builds a new engine, so stale plans are simply not found.
 */
export interface CachedPlan {
  /** Item offset the plan starts at (a fresh message). */
  from: number;
  /** End offset of each planned part, ascending. */
  ends: number[];
}

interface Stored extends CachedPlan {
  key: string;
}

const MAX_ENTRIES = 256;

export class PlanCache {
  private readonly plans = new Map<string, Stored>();
  private readonly notifications = new Map<string, object>();

  /**
   * intern returns the notification object first seen under this id. A queued notification never
   * changes (only its offset does), but the worker reads it anew for every message; handing back the
   * same object lets per-notification work (header summary) be computed once per storm, not per part.
   */
  intern<T extends object>(id: string, notification: T): T {
    const known = this.notifications.get(id) as T | undefined;
    if (known) return known;
    this.notifications.set(id, notification);
    while (this.notifications.size > MAX_ENTRIES) this.notifications.delete(this.notifications.keys().next().value!);
    return notification;
  }

  /** remaining: how many parts the notification still needs from `offset`, if a plan covers it. */
  remaining(id: string, key: string, offset: number): number | undefined {
    const plan = this.plans.get(id);
    if (!plan || plan.key !== key) return undefined;
    if (offset !== plan.from && !plan.ends.includes(offset)) return undefined;
    // Touch: keep recently used plans (Map iteration order is insertion order).
    this.plans.delete(id);
    this.plans.set(id, plan);
    return plan.ends.filter((end) => end > offset).length;
  }

  store(id: string, key: string, plan: CachedPlan): void {
    this.plans.delete(id);
    this.plans.set(id, { ...plan, key });
    while (this.plans.size > MAX_ENTRIES) this.plans.delete(this.plans.keys().next().value!);
  }

  get size(): number {
    return this.plans.size;
  }
}
