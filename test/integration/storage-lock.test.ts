import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { stringify } from 'yaml';
import { FakeWecom } from '../support/fake-wecom';
import { buildApp, robotConfig } from '../support/build-app';
import { CLI, freePort, spawnManaged, startService, waitUntil, type ServiceProcess } from '../support/service-process';
import { deliveredInstances, postWebhook, syntheticPayload } from '../support/synthetic-alerts';
import { StorageLock, StorageLockedError } from '../../src/storage/storage-lock';

/**
 * Issue 16 item 4: one process per storage directory. A second process on the same storage.path
 * exits at once (non-zero) naming the directory and the holder's pid; after kill -9 of the holder
 * the kernel has dropped its lock, so a restart works immediately (no stale lock file to clean).
 */
describe('storage lock (in process)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wecom-lock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a second acquire fails naming the directory and this pid; after release it succeeds', () => {
    const first = StorageLock.acquire(dir);
    let error: unknown;
    try {
      StorageLock.acquire(dir);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(StorageLockedError);
    expect((error as Error).message).toContain(`storage directory ${dir} is in use by another wecom-alert-adapter process (pid ${process.pid} on host`);
    first.release();
    StorageLock.acquire(dir).release();
  });

  it('createService refuses a directory in use; /readyz fails when the lock file is removed', async () => {
    const t = await buildApp(robotConfig('http://127.0.0.1:9'), { dir });
    try {
      await expect(buildApp(robotConfig('http://127.0.0.1:9'), { dir })).rejects.toThrow(StorageLockedError);
      expect((await request(t.app).get('/readyz')).body.checks.storage_lock).toBe('ok');
      unlinkSync(join(dir, 'data', 'LOCK')); // e.g. the directory was wiped under the running service
      const ready = await request(t.app).get('/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body.checks.storage_lock).toBe(`storage lock lost: ${join(dir, 'data', 'LOCK')} was removed`);
    } finally {
      await t.close();
    }
  });
});

describe('storage lock (real processes)', () => {
  let fake: FakeWecom;
  let dir: string;
  const processes: ServiceProcess[] = [];
  const config = () => ({ wecom: { api_base: fake.url, timeout: '2s' }, receivers: [{ name: 'ops', robot: { key: 'lock-test-key' } }], route: { receiver: 'ops' } });

  beforeEach(async () => {
    fake = await new FakeWecom().start();
    dir = mkdtempSync(join(tmpdir(), 'wecom-lock-proc-'));
  });
  afterEach(async () => {
    for (const proc of processes.splice(0)) await proc.stop();
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a second process on the same storage exits non-zero naming the directory and holder pid; after kill -9 a restart works', async () => {
    const first = await startService({ config: config(), dir });
    processes.push(first);
    const configPath = join(dir, 'second.yaml');
    writeFileSync(configPath, stringify({ ...config(), storage: { path: join(dir, 'data') } }));
    const second = spawnManaged(process.execPath, [CLI, 'serve', '--config', configPath, '--listen', `127.0.0.1:${await freePort()}`], { name: 'second', cwd: dir });
    const { code } = await second.exited;
    expect(code).not.toBe(0);
    expect(second.stderr()).toContain(`storage directory ${join(dir, 'data')} is in use by another wecom-alert-adapter process (pid ${first.pid} on host`);

    await first.kill9();
    const restarted = await startService({ config: config(), dir });
    processes.push(restarted);
    expect(await postWebhook(restarted.url, syntheticPayload({ alertname: 'LockTest', prefix: 'l' }, 0, 1))).toBe(200);
    await waitUntil(() => deliveredInstances(fake, { alertname: 'LockTest', prefix: 'l' }).size === 1, 10_000, 'delivery after restart');
  }, 30_000);
});
