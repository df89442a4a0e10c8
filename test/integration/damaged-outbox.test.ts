import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { stringify } from 'yaml';
import { buildApp } from '../support/build-app';
import { notificationOf } from '../support/fixtures';
import { CLI, freePort, spawnManaged } from '../support/service-process';
import { syntheticPayload } from '../support/synthetic-alerts';
import { alertmanagerSource } from '../../src/sources/alertmanager';
import { SqliteOutboxStore } from '../../src/outbox/sqlite-store';

/**
 * Issue 16 item 6: start-up on a damaged outbox, with real files. A 0-byte outbox.sqlite is not
 * silently replaced: it is moved aside (kept), the start is logged at error level with the path,
 * counted, and shown by /readyz. A malformed file stops the start with a message naming the file and
 * what to do; `dead-letters --outbox FILE` reads a moved-aside file without changing it.
 */
const CONFIG = { receivers: [{ name: 'ops', console: {} }], route: { receiver: 'ops' } };

/** fillOutbox writes `count` queued notifications (and kills the first `dead`) into dir/outbox.sqlite. */
async function fillOutbox(dir: string, count: number, dead = 0): Promise<void> {
  const store = new SqliteOutboxStore(dir);
  for (let batch = 0; batch < count; batch++) {
    const parsed = alertmanagerSource.parse(syntheticPayload({ alertname: "Damage", prefix: "d" }, batch, 20), new Date());
    await store.enqueue([{ notification: notificationOf(parsed, 'ops'), dedupKey: `d${batch}` }], Date.now(), 0);
  }
  const jobs = await store.pending('ops', dead);
  if (dead > 0) await store.kill(jobs.map((job) => job.id), { errcode: 93000, reason: 'invalid_webhook', error: 'invalid webhook url' }, Date.now());
  await store.close();
}

describe('start-up on a damaged outbox', () => {
  let dir: string;
  let data: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wecom-damaged-'));
    data = join(dir, 'data');
    mkdirSync(data);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a 0-byte outbox file is moved aside and reported (error log with the path, metric, /readyz detail)', async () => {
    await fillOutbox(data, 3);
    truncateSync(join(data, 'outbox.sqlite'), 0);
    const t = await buildApp(CONFIG, { dir });
    try {
      const moved = readdirSync(data).filter((name) => name.startsWith('outbox.sqlite.damaged-'));
      expect(moved).toHaveLength(1);
      const line = t.logs.map((text) => JSON.parse(text) as Record<string, unknown>).find((entry) => entry.problem === 'empty');
      expect(line).toMatchObject({ level: 50, file: 'outbox', path: join(data, 'outbox.sqlite'), movedTo: join(data, moved[0]) });
      expect(String(line!.msg)).toContain('was empty (0 bytes)');
      expect(await t.metricValue('wecom_adapter_storage_problems_total', { file: 'outbox', problem: 'empty' })).toBe(1);
      const ready = await request(t.app).get('/readyz');
      expect(ready.status).toBe(200); // it accepts work on its new file
      expect(ready.body.checks.storage_warnings).toContain(`outbox file ${join(data, 'outbox.sqlite')} was damaged`);
    } finally {
      await t.close();
    }
  });

  it('a damaged history file never stops the start: it is moved aside and a new history begins', async () => {
    writeFileSync(join(data, 'history.sqlite'), Buffer.alloc(8192, 0x5a)); // not a database
    const t = await buildApp(CONFIG, { dir });
    try {
      expect(readdirSync(data).filter((name) => name.startsWith('history.sqlite.damaged-'))).toHaveLength(1);
      expect(await t.metricValue('wecom_adapter_storage_problems_total', { file: 'history', problem: 'malformed' })).toBe(1);
      expect(t.logs.join('')).toContain(`history file ${join(data, 'history.sqlite')} was damaged (file is not a database)`);
      expect((await request(t.app).get('/readyz')).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('a malformed outbox stops the start naming the file and what to do; dead-letters --outbox reads the moved file read-only', async () => {
    await fillOutbox(data, 40, 2);
    const file = join(data, 'outbox.sqlite');
    // Overwrite a page in the middle with garbage, as a bad sector or a torn copy would.
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, 4096 * 3);
    closeSync(fd);
    const configPath = join(dir, 'config.yaml');
    writeFileSync(configPath, stringify({ ...CONFIG, storage: { path: data } }));
    const serve = spawnManaged(process.execPath, [CLI, 'serve', '--config', configPath, '--listen', `127.0.0.1:${await freePort()}`], { name: 'serve', cwd: dir });
    const { code } = await serve.exited;
    expect(code).toBe(1);
    const message = serve.stderr();
    expect(message).toContain(`${file} is damaged (`);
    expect(message).toMatch(/malformed|not a database/);
    expect(message).toContain('dead-letters --config FILE --outbox');
    expect(readFileSync(file).subarray(4096 * 3, 4096 * 3 + 4)).toEqual(Buffer.alloc(4, 0xa5)); // left as it was

    // What the message says to do: move it aside, start, read the moved file.
    const healthy = join(dir, 'healthy');
    await fillOutbox(healthy, 5, 2);
    const aside = join(dir, 'outbox.sqlite.damaged');
    renameSync(join(healthy, 'outbox.sqlite'), aside);
    const before = createHash('sha256').update(readFileSync(aside)).digest('hex');
    const list = spawnManaged(process.execPath, [CLI, 'dead-letters', '--config', configPath, '--outbox', aside], { name: 'dead-letters', cwd: dir });
    expect((await list.exited).code).toBe(0);
    expect(list.stdout()).toContain(`${aside} (read-only): 3 notification(s) still queued, not delivered (ops 3)`);
    expect(list.stdout()).toContain('2 dead letter(s):');
    expect(createHash('sha256').update(readFileSync(aside)).digest('hex')).toBe(before);
    // SQLite may create its (empty) WAL index side files next to a WAL-mode file; the data is untouched.
    if (existsSync(`${aside}-wal`)) expect(statSync(`${aside}-wal`).size).toBe(0);
    const requeue = spawnManaged(process.execPath, [CLI, 'dead-letters', '--config', configPath, '--outbox', aside, '--requeue-all'], { name: 'requeue', cwd: dir });
    expect((await requeue.exited).code).toBe(2);
    expect(requeue.stderr()).toContain('--outbox opens a file read-only');
  }, 30_000);
});
