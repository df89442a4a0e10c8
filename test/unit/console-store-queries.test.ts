import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Redis from 'ioredis';
import { createRedis, waitReady } from '../../src/redis/client';
import { SqliteOutboxStore } from '../../src/outbox/sqlite-store';
import { RedisOutboxStore } from '../../src/outbox/redis-store';
import { SqliteHistoryStore } from '../../src/history/sqlite-history-store';
import { RedisHistoryStore } from '../../src/history/redis-history-store';
import type { OutboxStore, DeliveryRecord } from '../../src/outbox/store';
import type { HistoryRecord, HistoryStore } from '../../src/history/history-store';
import { jobParts, notificationState } from '../../src/outbox/notification-log';
import type { AlertNotification } from '../../src/model/notification';
import type { Alert } from '../../src/model/alert';
import { parseMatchers } from '../../src/routing/matchers';
import { findBinary } from '../support/real-binaries';
import { freePort, spawnManaged, waitUntil, type ManagedProcess } from '../support/service-process';

/**
 * The console's store queries (notification log, attempts per job, alert history search and
 * "current" per alert), run as one contract against BOTH implementations: SQLite and Debian's
 * redis-server (started here on a free loopback port; skipped with a warning when it is missing).
 */
const T0 = Date.parse('2026-03-18T04:00:00Z');

function alert(name: string, fingerprint: string, status: 'firing' | 'resolved' = 'firing', labels: Record<string, string> = {}): Alert {
  return { source: 'alertmanager', status, name, severity: 'critical', fingerprint, labels: { alertname: name, ...labels }, annotations: {}, startsAt: new Date(T0).toISOString() } as unknown as Alert;
}

function notification(receiver: string, alerts: Alert[]): AlertNotification {
  return { kind: 'alerts', source: 'alertmanager', receiver, template: 'alertmanager', alerts, groupLabels: {}, commonLabels: {}, commonAnnotations: {}, truncatedAlerts: 0 };
}

function delivery(receiver: string, at: number, status: DeliveryRecord['status'], jobs: DeliveryRecord['jobs'], errcode?: number): DeliveryRecord {
  return { at, receiver, source: 'alertmanager', msgtype: 'markdown', status, errcode, alertCount: 1, bytes: 10, body: `{"at":${at}}`, jobs };
}

function record(name: string, fingerprint: string, receivedAt: number, status: 'firing' | 'resolved' = 'firing', labels: Record<string, string> = {}): HistoryRecord {
  return { source: 'alertmanager', name, severity: 'critical', status, fingerprint, labels: { alertname: name, ...labels }, startsAt: new Date(receivedAt).toISOString(), receivedAt };
}

interface Stores {
  outbox: OutboxStore;
  history: HistoryStore;
}

function contract(kind: string, open: () => Promise<Stores>, cleanup: () => Promise<void>): void {
  describe(`${kind} console queries`, () => {
    let stores: Stores;
    beforeEach(async () => {
      stores = await open();
    });
    afterEach(async () => {
      await stores.outbox.close();
      await stores.history.close();
      await cleanup();
    });

    it('lists every notification with its true state: queued, sending, retrying, sent, dead', async () => {
      const { outbox } = stores;
      await outbox.enqueue(
        ['a', 'b', 'c', 'd', 'e'].map((name) => ({ notification: notification(name === 'e' ? 'dba' : 'ops', [alert(`Mysql${name}`, `fp-${name}`)]), dedupKey: name })),
        T0,
        0,
      );
      const ids = (await outbox.notifications({ limit: 10 })).map((entry) => entry.id).reverse();
      expect(ids).toHaveLength(5);
      const [a, b, c, d] = ids;
      await outbox.markSending([b], T0 + 1);
      await outbox.recordDelivery(delivery('ops', T0 + 2, 'retrying', [{ id: c, part: 1, total: 1 }], -1));
      await outbox.deferred([c], T0 + 30_000, 'errcode -1: system busy');
      await outbox.recordDelivery(delivery('ops', T0 + 3, 'sent', [{ id: d, part: 1, total: 1 }], 0));
      await outbox.progress([{ id: d, offset: 1, partsSent: 1, done: true }], T0 + 3);
      await outbox.recordDelivery(delivery('ops', T0 + 4, 'dead', [{ id: a, part: 1, total: 1 }], 93000));
      await outbox.kill([a], { errcode: 93000, reason: 'invalid_webhook', error: 'errcode 93000' }, T0 + 4);

      const byId = new Map((await outbox.notifications({ limit: 10 })).map((entry) => [entry.id, entry]));
      expect(notificationState(byId.get(a)!)).toBe('dead');
      expect(notificationState(byId.get(b)!)).toBe('sending');
      expect(byId.get(c)).toMatchObject({ attempts: 1, nextAttemptAt: T0 + 30_000, errcode: -1, lastError: 'errcode -1: system busy' });
      expect(notificationState(byId.get(c)!)).toBe('retrying');
      expect(byId.get(d)).toMatchObject({ state: 'sent', partsSent: 1, partsTotal: 1, finishedAt: T0 + 3 });
      expect(notificationState(byId.get(ids[4])!)).toBe('queued');
      expect(byId.get(a)!.summary).toMatchObject({ names: ['Mysqla'], fingerprints: ['fp-a'], alertCount: 1, firing: 1 });
      // The sent job left the queue; the dead one is a dead letter, not "retrying".
      expect((await outbox.pending('ops', 10)).map((job) => job.id).sort()).toEqual([b, c].sort());
      expect((await outbox.deadLetters()).map((letter) => letter.id)).toEqual([a]);
      // A requeued dead letter is queued again (its old error no longer makes it "retrying").
      await outbox.requeue(a, T0 + 5);
      expect(notificationState((await outbox.notifications({ limit: 10 })).find((entry) => entry.id === a)!)).toBe('queued');
    });

    it('filters by receiver, state, name, fingerprint, source and time, newest first, up to the limit', async () => {
      const { outbox } = stores;
      await outbox.enqueue([{ notification: notification('ops', [alert('MysqlDown', 'fp1'), alert('DiskFull', 'fp2')]), dedupKey: '1' }], T0, 0);
      await outbox.enqueue([{ notification: notification('dba', [alert('MysqlSlow', 'fp3')]), dedupKey: '2' }], T0 + 1000, 0);
      await outbox.enqueue([{ notification: notification('ops', [alert('CpuHigh', 'fp4')]), dedupKey: '3' }], T0 + 2000, 0);
      const names = async (query: Parameters<OutboxStore['notifications']>[0]) => (await outbox.notifications(query)).map((entry) => entry.summary.names.join('+'));
      expect(await names({ limit: 10 })).toEqual(['CpuHigh', 'MysqlSlow', 'MysqlDown+DiskFull']);
      expect(await names({ limit: 10, receiver: 'ops' })).toEqual(['CpuHigh', 'MysqlDown+DiskFull']);
      expect(await names({ limit: 10, name: 'mysql' })).toEqual(['MysqlSlow', 'MysqlDown+DiskFull']);
      expect(await names({ limit: 10, fingerprint: 'fp2' })).toEqual(['MysqlDown+DiskFull']);
      expect(await names({ limit: 10, from: T0 + 500, to: T0 + 1500 })).toEqual(['MysqlSlow']);
      expect(await names({ limit: 10, source: 'grafana' })).toEqual([]);
      expect(await names({ limit: 10, state: 'queued' })).toHaveLength(3);
      expect(await names({ limit: 1 })).toEqual(['CpuHigh']);
    });

    it('returns one notification with its content and the attempts that carried it', async () => {
      const { outbox } = stores;
      await outbox.enqueue([{ notification: notification('ops', [alert('MysqlDown', 'fp1')]), dedupKey: 'x' }], T0, 0);
      const [entry] = await outbox.notifications({ limit: 1 });
      await outbox.recordDelivery(delivery('ops', T0 + 1, 'retrying', [{ id: entry.id, part: 1, total: 3 }], -1));
      await outbox.recordDelivery(delivery('ops', T0 + 2, 'sent', [{ id: entry.id, part: 1, total: 3 }], 0));
      await outbox.recordDelivery(delivery('ops', T0 + 3, 'sent', [{ id: 'other', part: 1, total: 1 }], 0));
      const detail = await outbox.notification(entry.id);
      expect(detail?.notification).toMatchObject({ kind: 'alerts', alerts: [{ name: 'MysqlDown' }] });
      expect(detail?.partsTotal).toBe(3);
      const attempts = await outbox.deliveriesOf(entry.id, 10);
      expect(attempts.map((attempt) => [attempt.status, attempt.body])).toEqual([
        ['sent', `{"at":${T0 + 2}}`],
        ['retrying', `{"at":${T0 + 1}}`],
      ]);
      expect(await outbox.notification('999999')).toBeUndefined();
    });

    it('searches the alert history newest first by name, matchers, status, source, fingerprints and time', async () => {
      const { history } = stores;
      await history.record([
        record('MysqlDown', 'fp1', T0, 'firing', { cluster: 'prod-sh', instance: 'db-1' }),
        record('DiskFull', 'fp2', T0 + 1000, 'firing', { cluster: 'prod-bj' }),
        record('MysqlDown', 'fp1', T0 + 2000, 'resolved', { cluster: 'prod-sh', instance: 'db-1' }),
      ]);
      const search = async (query: Omit<Parameters<HistoryStore['search']>[0], 'limit'>) => (await history.search({ limit: 10, ...query })).records.map((r) => `${r.name}/${r.status}`);
      expect(await search({})).toEqual(['MysqlDown/resolved', 'DiskFull/firing', 'MysqlDown/firing']);
      expect(await search({ name: 'mysql' })).toEqual(['MysqlDown/resolved', 'MysqlDown/firing']);
      expect(await search({ matchers: parseMatchers('cluster=~"prod-.*",instance!="db-1"') })).toEqual(['DiskFull/firing']);
      expect(await search({ matchers: parseMatchers('alertname="DiskFull"') })).toEqual(['DiskFull/firing']);
      expect(await search({ status: 'firing', from: T0 + 500 })).toEqual(['DiskFull/firing']);
      expect(await search({ fingerprints: new Set(['fp1']), to: T0 + 1000 })).toEqual(['MysqlDown/firing']);
      expect(await search({ source: 'grafana' })).toEqual([]);
      expect((await history.search({ limit: 1 })).records).toHaveLength(1);
    });

    it('keeps each alert\'s last record for "firing now", and prunes it with the history', async () => {
      const { history } = stores;
      await history.record([record('MysqlDown', 'fp1', T0), record('DiskFull', 'fp2', T0 + 1000)]);
      await history.record([record('MysqlDown', 'fp1', T0 + 2000, 'resolved')]);
      expect((await history.current(10)).map((r) => `${r.name}/${r.status}`)).toEqual(['MysqlDown/resolved', 'DiskFull/firing']);
      await history.prune(T0 + 1500);
      expect((await history.current(10)).map((r) => r.name)).toEqual(['MysqlDown']);
    });
  });
}

describe('jobParts', () => {
  const section = (id: string, start: number, end: number, part?: { index: number; total: number }) => ({ id, start, end, part });

  it('uses the packer\'s own label when a section carries one', () => {
    expect(jobParts({ sections: [section('a', 0, 10, { index: 1, total: 8 })] }, [], [{ id: 'a', partsSent: 0, items: 80 }])).toEqual([{ id: 'a', part: 1, total: 8 }]);
  });

  it('counts the planned later messages of a job, after the parts already sent', () => {
    const message = { sections: [section('a', 0, 1), section('b', 4, 6)] };
    const planned = [message, { sections: [section('b', 6, 8)] }, { sections: [section('b', 8, 10)] }];
    expect(jobParts(message, planned, [{ id: 'a', partsSent: 0, items: 1 }, { id: 'b', partsSent: 2, items: 10 }])).toEqual([
      { id: 'a', part: 1, total: 1 },
      { id: 'b', part: 3, total: 5 },
    ]);
  });

  it('estimates the total from the items left when only the first message is planned', () => {
    const message = { sections: [section('a', 0, 40)] };
    expect(jobParts(message, [message], [{ id: 'a', partsSent: 0, items: 200 }])).toEqual([{ id: 'a', part: 1, total: 5 }]);
  });
});

let sqliteDir = '';
contract(
  'SQLite',
  async () => {
    sqliteDir = mkdtempSync(join(tmpdir(), 'wecom-console-store-'));
    return { outbox: new SqliteOutboxStore(sqliteDir), history: new SqliteHistoryStore(sqliteDir) };
  },
  async () => rmSync(sqliteDir, { recursive: true, force: true }),
);

const redisServer = findBinary('redis-server');
if (!redisServer) {
  console.warn('SKIPPED Redis console queries — redis-server not found; apt-get install -y redis-server (what .ci/run does)');
} else {
  let server: ManagedProcess;
  let port = 0;
  let client: Redis;
  let prefix = 0;
  beforeAll(async () => {
    port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'wecom-console-redis-'));
    server = spawnManaged(redisServer, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { name: 'redis-server' });
    await waitUntil(() => server.output().includes('Ready to accept connections'), 10_000, 'redis-server ready', () => server.output());
  });
  afterAll(async () => {
    await server?.stop();
  });
  contract(
    'Redis',
    async () => {
      client = createRedis(`redis://127.0.0.1:${port}/0`);
      await waitReady(client);
      const keyPrefix = `t${++prefix}:`;
      // The outbox store owns (and closes) the connection; the history store shares it.
      return { outbox: new RedisOutboxStore(client, keyPrefix), history: new RedisHistoryStore(client, keyPrefix) };
    },
    async () => undefined,
  );
}
