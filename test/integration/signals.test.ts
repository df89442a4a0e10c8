import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { startService, waitUntil, type ServiceProcess } from '../support/service-process';

/** SIGHUP re-reads the config in the real process; a broken file keeps the running config. */
describe('SIGHUP reload (real process)', () => {
  let proc: ServiceProcess;
  afterEach(async () => proc?.cleanup());

  it('applies a new config on SIGHUP and keeps the old one when the new one is broken', async () => {
    proc = await startService({ config: { receivers: [{ name: 'first', console: {} }], route: { receiver: 'first' } } });
    const gauge = async () => Number(/wecom_adapter_config_last_reload_successful (\d)/.exec(await (await fetch(`${proc.url}/metrics`)).text())?.[1]);
    const status = async (receiver: string) =>
      (await fetch(`${proc.url}/webhook/alertmanager/${receiver}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status;
    expect(await status('second')).toBe(404);

    writeFileSync(proc.configPath, stringify({ receivers: [{ name: 'second', console: {} }], route: { receiver: 'second' }, storage: { path: `${proc.dir}/data` } }));
    process.kill(proc.pid, 'SIGHUP');
    await waitUntil(async () => (await status('second')) === 400, 5000, 'receiver "second" after SIGHUP');
    expect(await gauge()).toBe(1);

    writeFileSync(proc.configPath, 'receivers: [');
    process.kill(proc.pid, 'SIGHUP');
    await waitUntil(async () => (await gauge()) === 0, 5000, 'the reload gauge to drop');
    expect(await status('second')).toBe(400); // still the previous, valid config
    // Logs are written asynchronously (pino): the line can arrive a moment after the gauge changed.
    await waitUntil(() => proc.output().includes('reload failed'), 5000, 'the "reload failed" log line');
  }, 30_000);
});
