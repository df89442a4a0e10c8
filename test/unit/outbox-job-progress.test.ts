import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteOutboxStore } from '../../src/outbox/sqlite-store';
import type { AlertNotification } from '../../src/model/notification';
import type { Alert } from '../../src/model/alert';

/**
 * The columns a delivery changes on every message (in-flight mark, offset, parts) live in
 * job_progress beside the job (sqlite-schema.ts), so a message of a 10,000-alert job does not
 * rewrite its 5 MB row three times; the row keeps the truth once the job leaves the queue.
 */
const T0 = Date.parse('2026-11-30T08:00:00Z');

function bigNotification(alerts: number): AlertNotification {
  const alert = (i: number): Alert => ({
    source: 'alertmanager',
    status: 'firing',
    name: 'DiskFull',
    severity: 'critical',
    labels: { alertname: 'DiskFull', instance: `host-${i}.example:9100`, padding: 'x'.repeat(200) },
    annotations: { summary: `磁盘将满 ${i}` },
    startsAt: new Date(T0).toISOString(),
    fingerprint: i.toString(16).padStart(16, '0'),
  });
  return { kind: 'alerts', source: 'alertmanager', receiver: 'ops', template: 'alertmanager', alerts: Array.from({ length: alerts }, (_, i) => alert(i)), groupLabels: { alertname: 'DiskFull' }, commonLabels: {}, commonAnnotations: {}, truncatedAlerts: 0 };
}

describe('job progress beside the job (SQLite)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wecom-progress-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('marking, recording and progressing a message of a 1 MB job writes kilobytes, not the job row', async () => {
    const store = new SqliteOutboxStore(dir);
    await store.enqueue([{ notification: bigNotification(3000), dedupKey: 'big' }], T0, 0);
    const [job] = await store.pending('ops', 1);
    const row = store.database.prepare('SELECT octet_length(notification) AS n FROM jobs').get() as { n: number };
    expect(row.n).toBeGreaterThan(1_000_000);
    store.database.pragma('wal_checkpoint(TRUNCATE)');
    for (let part = 0; part < 5; part++) {
      await store.markSending([job.id], T0 + part);
      await store.recordDelivery({ at: T0 + part, receiver: 'ops', source: 'alertmanager', msgtype: 'markdown', status: 'sent', alertCount: 100, bytes: 4000, body: '{}', jobs: [{ id: job.id, part: part + 1, total: 30 }] });
      await store.progress([{ id: job.id, offset: (part + 1) * 100, partsSent: part + 1, done: false }], T0 + part);
    }
    // Five messages: a few small pages each (the old layout rewrote > 5 MB per message).
    expect(statSync(join(dir, 'outbox.sqlite-wal')).size).toBeLessThan(400_000);
    const [again] = await store.pending('ops', 1);
    expect(again).toMatchObject({ offset: 500, partsSent: 5 });
    expect(await store.notification(job.id)).toMatchObject({ state: 'pending', offset: 500, partsSent: 5, partsTotal: 30 });
    await store.close();
  });

  it('folds the progress into the job when it is sent or dead, and a dead letter keeps its offset', async () => {
    const store = new SqliteOutboxStore(dir);
    await store.enqueue([{ notification: bigNotification(3), dedupKey: 'a' }, { notification: bigNotification(3), dedupKey: 'b' }], T0, 0);
    const [a, b] = await store.pending('ops', 2);
    await store.markSending([a.id, b.id], T0);
    await store.recordDelivery({ at: T0, receiver: 'ops', source: 'alertmanager', msgtype: 'markdown', status: 'sent', alertCount: 4, bytes: 4000, body: '{}', jobs: [{ id: a.id, part: 1, total: 1 }, { id: b.id, part: 1, total: 2 }] });
    await store.progress([{ id: a.id, offset: 3, partsSent: 1, done: true }, { id: b.id, offset: 1, partsSent: 1, done: false }], T0 + 1);
    await store.markSending([b.id], T0 + 2);
    await store.kill([b.id], { errcode: 93000, reason: 'invalid_key', error: 'key invalid' }, T0 + 3);
    expect(store.database.prepare('SELECT count(*) AS n FROM job_progress').get()).toEqual({ n: 0 });
    const jobs = store.database.prepare('SELECT id, state, item_offset, parts_sent, parts_total, sending_since FROM jobs ORDER BY id').all();
    expect(jobs).toEqual([
      { id: Number(a.id), state: 'sent', item_offset: 3, parts_sent: 1, parts_total: 1, sending_since: null },
      { id: Number(b.id), state: 'dead', item_offset: 1, parts_sent: 1, parts_total: 2, sending_since: null },
    ]);
    expect((await store.deadLetters()).map((letter) => [letter.id, letter.offset])).toEqual([[b.id, 1]]);
    // Requeued, it resumes where it stopped.
    await store.requeue(b.id, T0 + 4);
    expect(await store.pending('ops', 1)).toMatchObject([{ id: b.id, offset: 1, partsSent: 1 }]);
    await store.close();
  });

  it('a file written before job_progress: opened read-only it is readable, opened by the service its in-flight marks are found', async () => {
    const store = new SqliteOutboxStore(dir);
    await store.enqueue([{ notification: bigNotification(2), dedupKey: 'old' }], T0, 0);
    await store.close();
    const raw = new Database(join(dir, 'outbox.sqlite'));
    raw.exec('DROP TABLE job_progress');
    raw.prepare('UPDATE jobs SET sending_since = ?').run(T0); // the old layout's in-flight mark
    raw.close();
    const readonly = new SqliteOutboxStore(dir, 'outbox.sqlite', { readonly: true });
    expect(await readonly.pending('ops', 10)).toHaveLength(1);
    expect(await readonly.deadLetters()).toEqual([]);
    await readonly.close();
    const reopened = new SqliteOutboxStore(dir);
    expect(await reopened.recoverInterrupted('ops')).toBe(1);
    expect(await reopened.recoverInterrupted('ops')).toBe(0);
    await reopened.markSending([(await reopened.pending('ops', 1))[0].id], T0 + 1);
    expect(await reopened.recoverInterrupted('ops')).toBe(1); // the new layout's mark
    await reopened.close();
  });
});
