import pino from 'pino';
import { Counter, Registry } from 'prom-client';
import { Writable } from 'node:stream';
import { HistoryRecorder } from '../../src/history/recorder';
import type { HistoryRecord, HistoryStore } from '../../src/history/history-store';
import type { Alert } from '../../src/model/alert';

/**
 * Issue 18: the history is written in groups — the webhooks of one event-loop turn (and those that
 * arrive while a write runs) share one `store.record` call, i.e. one SQLite transaction — with the
 * same best-effort failure handling as one write per webhook.
 */
function alert(fingerprint: string): Alert {
  return { source: 'alertmanager', status: 'firing', name: 'DiskFull', severity: 'critical', summary: '', description: '', labels: { alertname: 'DiskFull', fp: fingerprint }, annotations: {}, startsAt: '2025-03-18T02:00:00.000Z', fingerprint, links: {} };
}

/** A store that keeps every `record` call's batch; `gate` holds the writes until opened. */
function fakeStore(options: { fail?: () => Error | undefined; gate?: Promise<void> } = {}) {
  const calls: HistoryRecord[][] = [];
  const store: HistoryStore = {
    async record(records) {
      calls.push(records);
      await options.gate;
      const err = options.fail?.();
      if (err) throw err;
    },
    received: async () => [],
    latest: async () => [],
    search: async () => ({ records: [], scanned: 0, truncated: false }),
    current: async () => [],
    prune: async () => 0,
    release: async () => 7,
    close: async () => undefined,
  };
  return { store, calls };
}

function setup(store: HistoryStore) {
  const logs: string[] = [];
  const logger = pino({ level: 'debug' }, new Writable({ write: (chunk, _enc, done) => (logs.push(String(chunk)), done()) }));
  const registry = new Registry();
  const dropped = new Counter({ name: 'dropped', help: 'x', labelNames: ['reason'], registers: [registry] });
  const recorder = new HistoryRecorder(store, logger, () => 86_400_000, dropped);
  const value = async (reason: string) => (await dropped.get()).values.find((item) => item.labels.reason === reason)?.value ?? 0;
  return { recorder, logs, value };
}

describe('HistoryRecorder grouped writes', () => {
  it('writes the records of every call made in the same turn in one store call, in call order', async () => {
    const { store, calls } = fakeStore();
    const { recorder } = setup(store);
    const done = await Promise.all([recorder.record([alert('a'), alert('b')], 1000), recorder.record([alert('c')], 1001), recorder.record([alert('d')], 1002)]);
    expect(done).toEqual([undefined, undefined, undefined]);
    expect(calls.map((batch) => batch.map((record) => `${record.fingerprint}@${record.receivedAt}`))).toEqual([['a@1000', 'b@1000', 'c@1001', 'd@1002']]);
  });

  it('calls made while a write runs go into the next write; each caller waits for the write holding its records', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const { store, calls } = fakeStore({ gate });
    const { recorder } = setup(store);
    const settled: string[] = [];
    const first = recorder.record([alert('a')], 1000).then(() => settled.push('a'));
    await new Promise((resolve) => setImmediate(resolve)); // the first write has started and waits at the gate
    expect(calls).toHaveLength(1);
    const second = recorder.record([alert('b')], 1001).then(() => settled.push('b'));
    const third = recorder.record([alert('c')], 1002).then(() => settled.push('c'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toHaveLength(1); // nothing starts while the first write runs
    expect(settled).toEqual([]);
    open();
    await Promise.all([first, second, third]);
    expect(calls.map((batch) => batch.map((record) => record.fingerprint))).toEqual([['a'], ['b', 'c']]);
    expect(settled).toEqual(['a', 'b', 'c']);
  });

  it('a failed group write counts every record in it, logs once, never rejects, and a full disk releases the history', async () => {
    const diskFull = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    const { store, calls } = fakeStore({ fail: () => diskFull });
    const { recorder, logs, value } = setup(store);
    await expect(Promise.all([recorder.record([alert('a'), alert('b')], 1000), recorder.record([alert('c')], 1000)])).resolves.toEqual([undefined, undefined]);
    await recorder.record([alert('d')], 1001);
    expect(calls).toHaveLength(2);
    expect(await value('write_failed')).toBe(4);
    expect(await value('disk_full')).toBe(14); // the fake release reports 7 records dropped, once per failed write
    expect(logs.filter((line) => line.includes('could not record alerts in the history')).length).toBe(1);
  });
});
