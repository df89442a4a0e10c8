import { TemplateEngine } from '../../src/render/engine';
import { messageFormat } from '../../src/render/format';
import { pack, planAhead, type PackEntry, type PackOptions } from '../../src/render/packer';
import { PlanCache } from '../../src/render/plan-cache';
import type { Alert } from '../../src/model/alert';
import type { AlertNotification, Notification } from '../../src/model/notification';
import { alertmanagerSource } from '../../src/sources/alertmanager';
import { FIXED_NOW, loadFixture, notificationOf } from '../support/fixtures';

/**
 * Packing must stay near-linear in the alerts of one notification (issue 16: a 10,000-alert webhook
 * took minutes because every message re-planned the rest). Not timed: the work is counted as
 * template renders and as alerts rendered (each render of a k-alert slice costs about k), with the
 * worker's way of calling pack — one message per call, a PlanCache across calls, the notification
 * read anew (a copy) for every message as the outbox hands it back.
 */
const realEngine = TemplateEngine.load();
const format = messageFormat('robot', 'markdown');

/** countingEngine wraps the real engine, counting render calls and the alerts each rendered. */
function countingEngine(): { engine: TemplateEngine; counts: { renders: number; alerts: number } } {
  const counts = { renders: 0, alerts: 0 };
  const engine = Object.create(realEngine) as TemplateEngine;
  engine.render = (base, variant, context, data) => {
    counts.renders++;
    counts.alerts += (context as { alerts?: unknown[] }).alerts?.length ?? 0;
    return realEngine.render(base, variant, context, data);
  };
  return { engine, counts };
}

function storm(count: number): AlertNotification {
  const parsed = alertmanagerSource.parse(loadFixture('alertmanager-firing.json'), new Date(FIXED_NOW));
  const alerts: Alert[] = Array.from({ length: count }, (_, i) => ({
    source: 'alertmanager',
    status: i % 7 === 0 ? 'resolved' : 'firing',
    name: 'NodeDown',
    severity: i % 10 === 0 ? 'critical' : 'warning',
    summary: `node-${i}:9100 无法访问`,
    description: '',
    labels: { alertname: 'NodeDown', instance: `node-${i}:9100`, job: 'node' },
    annotations: {},
    startsAt: new Date(Date.parse('2025-03-18T02:00:00Z') + (i % 40) * 15_000).toISOString(),
    endsAt: i % 7 === 0 ? '2025-03-18T03:00:00Z' : undefined,
    fingerprint: `fp-${i}`,
    links: {},
  }));
  return { ...notificationOf(parsed), alerts };
}

/** drainLikeTheWorker packs one message per call until the notification is delivered. */
async function drainLikeTheWorker(count: number, warm: boolean): Promise<{ renders: number; alerts: number; messages: number; covered: string[] }> {
  const { engine, counts } = countingEngine();
  const notification = storm(count);
  const stored = JSON.stringify(notification);
  const options: PackOptions = { engine, format, timezone: 'Asia/Shanghai', now: FIXED_NOW, maxMessages: 1, planCache: new PlanCache() };
  const covered: string[] = [];
  let offset = 0;
  let partsSent = 0;
  while (offset < count) {
    const entry: PackEntry = { id: 'storm', notification: JSON.parse(stored) as Notification, offset, partsSent };
    if (warm) await planAhead(entry, options, () => Promise.resolve());
    const [message] = pack([entry], options);
    const [section] = message.sections;
    expect(section.start).toBe(offset);
    covered.push(...notification.alerts.slice(section.start, section.end).map((alert) => alert.fingerprint));
    offset = section.end;
    partsSent++;
  }
  return { ...counts, messages: partsSent, covered };
}

describe('packing a storm one message at a time (the worker)', () => {
  it.each([false, true])('grows linearly with the alerts of one notification (planAhead first: %s)', async (warm) => {
    const small = await drainLikeTheWorker(1000, warm);
    const large = await drainLikeTheWorker(4000, warm);
    // every alert delivered exactly once, in order
    expect(small.covered).toEqual(Array.from({ length: 1000 }, (_, i) => `fp-${i}`));
    expect(large.covered).toEqual(Array.from({ length: 4000 }, (_, i) => `fp-${i}`));
    expect(large.messages / small.messages).toBeGreaterThan(3.5);
    // 4× the alerts: about 4× the work when linear, 16× when quadratic
    expect(large.renders / small.renders).toBeLessThan(6);
    expect(large.alerts / small.alerts).toBeLessThan(6);
  });

  it('planAhead leaves pack() nothing to plan but the first message', async () => {
    const { engine, counts } = countingEngine();
    const options: PackOptions = { engine, format, timezone: 'Asia/Shanghai', now: FIXED_NOW, maxMessages: 1, planCache: new PlanCache() };
    const entry: PackEntry = { id: 'storm', notification: storm(4000), offset: 0, partsSent: 0 };
    let pauses = 0;
    await planAhead(entry, options, async () => void pauses++, 0);
    expect(pauses).toBeGreaterThan(10); // sliceMs 0: a pause after every planned part
    const planned = counts.alerts;
    const [message] = pack([entry], options);
    const alertsInFirst = message.sections[0].end;
    // pack renders only around the first message (probes plus the final render), not the other parts
    expect(counts.alerts - planned).toBeLessThan(alertsInFirst * 40);
    expect(counts.alerts - planned).toBeLessThan(planned / 5);
    const uncached = pack([entry], { ...options, planCache: new PlanCache() });
    expect(message.content).toBe(uncached[0].content); // same part label (1/N) as planning in one go
  });
});

describe('a lone notification that fits (the usual webhook)', () => {
  it('is rendered once, exactly as sent: not once to measure and again to send', () => {
    const { engine, counts } = countingEngine();
    const notification = storm(3);
    const options: PackOptions = { engine, format, timezone: 'Asia/Shanghai', now: FIXED_NOW, maxMessages: 1 };
    const messages = pack([{ id: '1', notification, offset: 0, partsSent: 0 }], options);
    expect(messages).toHaveLength(1);
    expect(counts.renders).toBe(1);
    // Same text as the planner gives it when part of a queue (where it is measured first).
    const other: Notification = { ...storm(1), alerts: storm(1).alerts.map((alert) => ({ ...alert, fingerprint: 'other', labels: { ...alert.labels, instance: 'other:9100' } })) };
    const queued = pack([{ id: '1', notification, offset: 0, partsSent: 0 }, { id: '2', notification: other, offset: 0, partsSent: 0 }], { ...options, engine: realEngine });
    expect(queued[0].content.startsWith(messages[0].content.split('\n\n')[0])).toBe(true);
  });

  it('too many alerts to fit whole are planned without a wasted whole render', () => {
    let largest = 0;
    const engine = Object.create(realEngine) as TemplateEngine;
    engine.render = (base, variant, context, data) => {
      largest = Math.max(largest, (context as { alerts?: unknown[] }).alerts?.length ?? 0);
      return realEngine.render(base, variant, context, data);
    };
    pack([{ id: '1', notification: storm(400), offset: 0, partsSent: 0 }], { engine, format, timezone: 'Asia/Shanghai', now: FIXED_NOW, maxMessages: 1 });
    expect(largest).toBeLessThan(400); // trying it whole would render all 400 alerts at once
  });
});

