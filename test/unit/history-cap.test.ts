import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { SqliteHistoryStore } from '../../src/history/sqlite-history-store';
import type { HistoryRecord } from '../../src/history/history-store';
import { buildApp, type TestApp } from '../support/build-app';
import { rawFixture } from '../support/fixtures';

/**
 * Issue 16 item 10: the alert history is best effort and shares the disk with the outbox. It is
 * capped (storage.history_max_size, oldest first), its WAL is checkpointed and truncated, a failed
 * history write never fails a webhook (counted, logged once), and when the outbox finds the disk
 * full the history gives its space back before the webhook is refused.
 */
function record(i: number): HistoryRecord {
  return {
    source: 'alertmanager',
    name: 'CapTest',
    severity: 'critical',
    status: 'firing',
    fingerprint: `cap${i}`,
    labels: { alertname: 'CapTest', instance: `host-${i}`, description: 'x'.repeat(200) },
    startsAt: '2025-03-18T02:00:00Z',
    receivedAt: 1_000_000 + i,
  };
}

describe('alert history cap', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wecom-history-cap-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('trim keeps the rows under storage.history_max_size, drops the oldest first, and truncates the WAL', async () => {
    const maxBytes = 256 * 1024;
    const store = new SqliteHistoryStore(dir, 'history.sqlite', { maxBytes });
    try {
      for (let batch = 0; batch < 40; batch++) await store.record(Array.from({ length: 100 }, (_, i) => record(batch * 100 + i)));
      expect(store.usedBytes()).toBeGreaterThan(maxBytes);
      const dropped = await store.trim();
      expect(dropped).toBeGreaterThan(0);
      expect(store.usedBytes()).toBeLessThanOrEqual(maxBytes);
      const kept = await store.received(0, Number.MAX_SAFE_INTEGER);
      expect(kept.length).toBe(4000 - dropped);
      expect(kept[kept.length - 1].fingerprint).toBe('cap3999'); // the newest stay
      expect(kept[0].fingerprint).toBe(`cap${dropped}`); // the oldest went first
      expect(statSync(join(dir, 'history.sqlite-wal')).size).toBe(0);
      expect(await store.trim()).toBe(0); // under the cap: nothing more
    } finally {
      await store.close();
    }
  });
});

describe('history failures never fail ingest', () => {
  let t: TestApp;
  const CONFIG = { receivers: [{ name: 'c', console: {} }], route: { receiver: 'c' } };
  const diskFull = () => Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
  const post = () => request(t.app).post('/webhook/alertmanager').set('Content-Type', 'application/json').send(rawFixture('real-alertmanager-0.25-firing.json'));
  afterEach(async () => {
    await t.close();
  });

  it('a failing history write is counted and logged once; the webhook is accepted and queued', async () => {
    t = await buildApp(CONFIG);
    const history = t.service.history!;
    history.record = async () => {
      throw new Error('SQLITE_IOERR: disk I/O error');
    };
    expect((await post()).status).toBe(200);
    expect((await post()).status).toBe(200);
    expect(await t.metricValue('wecom_adapter_history_dropped_total', { reason: 'write_failed' })).toBe(4); // 2 alerts × 2 webhooks
    expect(t.logs.filter((line) => line.includes('could not record alerts in the history')).length).toBe(1);
    await t.waitForMetric('wecom_adapter_notifications_total', { receiver: 'c', outcome: 'sent' }, 1);
  });

  it('an outbox write that finds the disk full first drops the history, then accepts the webhook', async () => {
    t = await buildApp(CONFIG);
    expect((await post()).status).toBe(200); // history has records now
    const store = t.service.store;
    const enqueue = store.enqueue.bind(store);
    let failures = 1;
    store.enqueue = async (...args) => {
      if (failures-- > 0) throw diskFull();
      return enqueue(...args);
    };
    const res = await post();
    expect(res.status).toBe(200);
    // Both webhooks' 2 alerts each were in the history (this one records before it enqueues).
    expect(await t.metricValue('wecom_adapter_history_dropped_total', { reason: 'disk_full' })).toBe(4);
    expect(t.logs.join('')).toContain('the outbox could not be written: the disk is full; the alert history was dropped to keep the outbox writable');
    expect(await t.service.history!.received(0, Number.MAX_SAFE_INTEGER)).toEqual([]);
  });
});
