import fc from 'fast-check';
import type { Alert, SourceName } from '../../src/model/alert';
import { itemCount, type Notification } from '../../src/model/notification';
import { byteLength } from '../../src/render/bytes';
import { TemplateEngine } from '../../src/render/engine';
import { messageFormat, type MessageFormat } from '../../src/render/format';
import { pack, type Mention, type PackEntry, type PackedMessage } from '../../src/render/packer';
import { FIXED_NOW } from '../support/fixtures';

/**
 * Split and coalesce never lose or duplicate an alert (SPEC §6 "no alert is dropped"):
 *  1. one pack() of a random queue covers every queued item exactly once, in order, within limits;
 *  2. draining the queue the way the worker does (pack with maxMessages: 1, send the first message,
 *     advance each touched job's offset to the end of its sections, drop finished jobs, while new
 *     notifications keep arriving) delivers every item exactly once.
 * Items are counted by position (job id, index) and fingerprints compared as multisets, since the
 * same alert may legitimately sit in two queued notifications.
 */
const NUM_RUNS = Number(process.env.PROPERTY_RUNS ?? 20);
const engine = TemplateEngine.load();

const FORMATS: { name: string; format: MessageFormat; mention?: Mention }[] = [
  { name: 'robot markdown', format: messageFormat('robot', 'markdown') },
  { name: 'robot markdown + mentions', format: messageFormat('robot', 'markdown'), mention: { users: ['zhangsan'], mobiles: ['13800000000'], all: false } },
  { name: 'robot text', format: messageFormat('robot', 'text'), mention: { users: ['lisi'], mobiles: [], all: true } },
  { name: 'app markdown', format: messageFormat('app', 'markdown') },
  { name: 'app textcard', format: messageFormat('app', 'textcard') },
];

/** Summary sizes: mostly small, some medium, a few larger than a whole message (truncated, still delivered). */
const summaryArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 60 }) },
  { weight: 3, arbitrary: fc.integer({ min: 100, max: 900 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1500, max: 6000 }) },
).map((size) => '磁盘'.repeat(Math.floor(size / 6)) + 'x'.repeat(size % 6));

const alertArb = fc.record({ fp: fc.integer({ min: 0, max: 40 }), firing: fc.boolean(), summary: summaryArb, instance: fc.integer({ min: 1, max: 999 }) });

interface Spec {
  id: string;
  arrivesAt: number;
  notification: Notification;
}

const specArb = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ alerts: fc.array(alertArb, { minLength: 1, maxLength: 20 }), source: fc.constantFrom<SourceName>('alertmanager', 'grafana', 'kibana'), arrivesAt: fc.integer({ min: 0, max: 6 }) }).map(
      ({ alerts, source, arrivesAt }): Omit<Spec, 'id'> => ({
        arrivesAt,
        notification: {
          kind: 'alerts',
          source,
          receiver: 'ops',
          template: source,
          alerts: alerts.map(
            (alert): Alert => ({
              source,
              status: alert.firing ? 'firing' : 'resolved',
              name: 'DiskFull',
              severity: 'critical',
              summary: alert.summary,
              description: '',
              labels: { alertname: 'DiskFull', instance: `web-${alert.instance}` },
              annotations: {},
              startsAt: '2025-03-18T02:00:00Z',
              endsAt: alert.firing ? undefined : '2025-03-18T03:00:00Z',
              fingerprint: `fp-${alert.fp}`,
              links: {},
            }),
          ),
          groupLabels: {},
          commonLabels: { alertname: 'DiskFull' },
          commonAnnotations: {},
          truncatedAlerts: 0,
        },
      }),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.record({ content: summaryArb, arrivesAt: fc.integer({ min: 0, max: 6 }) }).map(
      ({ content, arrivesAt }): Omit<Spec, 'id'> => ({
        arrivesAt,
        notification: { kind: 'message', source: 'api', receiver: 'ops', template: 'message', title: '备份任务', content: content || '完成', labels: {}, createdAt: '2025-03-18T02:00:00Z' },
      }),
    ),
  },
);

const queueArb = fc.array(specArb, { minLength: 1, maxLength: 5 }).map((specs) => specs.map((spec, i): Spec => ({ ...spec, id: `job-${i}` })));

/** Fingerprint of item i of a notification (generic messages count as one item with a synthetic id). */
function fingerprintAt(notification: Notification, index: number, id: string): string {
  return notification.kind === 'alerts' ? notification.alerts[index].fingerprint : `message:${id}`;
}

function multiset(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const value of values) out[value] = (out[value] ?? 0) + 1;
  return out;
}

function expectWithinLimits(message: PackedMessage, format: MessageFormat): void {
  if (message.companion) return;
  expect(byteLength(message.content)).toBeLessThanOrEqual(format.limit);
  if (format.titleLimit !== undefined) expect(byteLength(message.title ?? '')).toBeLessThanOrEqual(format.titleLimit);
}

const base = { engine, timezone: 'Asia/Shanghai', now: FIXED_NOW };

describe('property: split and coalesce never lose or duplicate an alert', () => {
  it.each(FORMATS)('$name: one pack() covers every queued item exactly once, in order', ({ format, mention }) => {
    fc.assert(
      fc.property(queueArb, (specs) => {
        const entries: PackEntry[] = specs.map((spec) => ({ id: spec.id, notification: spec.notification, offset: 0, partsSent: 0 }));
        const messages = pack(entries, { ...base, format, mention });
        messages.forEach((message) => expectWithinLimits(message, format));
        const byId = new Map(specs.map((spec) => [spec.id, spec]));
        const positions = messages.filter((m) => !m.companion).flatMap((message) => message.sections.flatMap((section) => Array.from({ length: section.end - section.start }, (_, k) => `${section.id}#${section.start + k}`)));
        const expected = specs.flatMap((spec) => Array.from({ length: itemCount(spec.notification) }, (_, k) => `${spec.id}#${k}`));
        // exactly once and in queue order
        expect(positions).toEqual(expected);
        const fingerprints = messages.flatMap((message) =>
          message.sections.flatMap((section) => Array.from({ length: section.end - section.start }, (_, k) => fingerprintAt(byId.get(section.id)!.notification, section.start + k, section.id))),
        );
        expect(multiset(fingerprints)).toEqual(multiset(specs.flatMap((spec) => Array.from({ length: itemCount(spec.notification) }, (_, k) => fingerprintAt(spec.notification, k, spec.id)))));
        // alertCount agrees with the sections
        for (const message of messages.filter((m) => !m.companion)) expect(message.alertCount).toBe(message.sections.reduce((sum, section) => sum + section.end - section.start, 0));
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it.each(FORMATS)('$name: draining like the worker delivers each item exactly once', ({ format, mention }) => {
    fc.assert(
      fc.property(queueArb, (specs) => {
        const total = specs.reduce((sum, spec) => sum + itemCount(spec.notification), 0);
        const waiting = [...specs].sort((a, b) => a.arrivesAt - b.arrivesAt);
        const queue: PackEntry[] = [];
        const delivered: string[] = [];
        const fingerprints: string[] = [];
        const byId = new Map(specs.map((spec) => [spec.id, spec]));
        for (let step = 0; queue.length > 0 || waiting.length > 0; step++) {
          if (step > total + specs.length + 10) throw new Error(`no progress after ${step} sends: ${JSON.stringify(queue.map((e) => [e.id, e.offset]))}`);
          while (waiting.length > 0 && waiting[0].arrivesAt <= step) {
            const spec = waiting.shift()!;
            queue.push({ id: spec.id, notification: spec.notification, offset: 0, partsSent: 0 });
          }
          if (queue.length === 0) continue;
          const [message] = pack(queue, { ...base, format, mention, maxMessages: 1 });
          expect(message).toBeDefined();
          expect(message.companion).toBe(false);
          expectWithinLimits(message, format);
          expect(message.sections.length).toBeGreaterThan(0);
          // As worker.deliver(): every touched job advances to the end of its sections, none skips items.
          for (const job of queue.filter((entry) => message.sections.some((section) => section.id === entry.id))) {
            const sections = message.sections.filter((section) => section.id === job.id).sort((a, b) => a.start - b.start);
            expect(sections[0].start).toBe(job.offset);
            for (let i = 1; i < sections.length; i++) expect(sections[i].start).toBe(sections[i - 1].end);
            for (const section of sections) {
              for (let k = section.start; k < section.end; k++) {
                delivered.push(`${job.id}#${k}`);
                fingerprints.push(fingerprintAt(byId.get(job.id)!.notification, k, job.id));
              }
            }
            job.offset = sections[sections.length - 1].end;
            job.partsSent += 1;
          }
          for (let i = queue.length - 1; i >= 0; i--) if (queue[i].offset >= itemCount(queue[i].notification)) queue.splice(i, 1);
        }
        const expected = specs.flatMap((spec) => Array.from({ length: itemCount(spec.notification) }, (_, k) => `${spec.id}#${k}`));
        expect([...delivered].sort()).toEqual([...expected].sort());
        expect(new Set(delivered).size).toBe(delivered.length);
        expect(multiset(fingerprints)).toEqual(multiset(specs.flatMap((spec) => Array.from({ length: itemCount(spec.notification) }, (_, k) => fingerprintAt(spec.notification, k, spec.id)))));
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
