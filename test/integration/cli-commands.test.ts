import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { stringify } from 'yaml';
import { deadLettersCommand } from '../../src/commands/dead-letters';
import { sendTestCommand } from '../../src/commands/send-test';
import { FakeWecom } from '../support/fake-wecom';
import { buildApp, robotConfig } from '../support/build-app';
import { rawFixture } from '../support/fixtures';

/** The operator commands of SPEC §2 against a real fake WeCom: send-test and dead-letters. */
describe('CLI commands', () => {
  let fake: FakeWecom;
  let dir: string;
  beforeEach(async () => {
    fake = await new FakeWecom({ robotKeys: ['good-key-0001'] }).start();
    dir = mkdtempSync(join(tmpdir(), 'wecom-cli-'));
  });
  afterEach(async () => {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function writeConfig(config: Record<string, unknown>): string {
    const file = join(dir, 'config.yaml');
    writeFileSync(file, stringify({ ...config, storage: { path: join(dir, 'data') } }));
    return file;
  }

  it('send-test: succeeds against a valid robot, exit 0, one test message sent', async () => {
    const config = writeConfig({ wecom: { api_base: fake.url }, receivers: [{ name: 'ops', robot: { key: 'good-key-0001' } }], route: { receiver: 'ops' } });
    const out: string[] = [];
    expect(await sendTestCommand({ config, receiver: 'ops' }, (line) => out.push(line), (line) => out.push(line))).toBe(0);
    expect(fake.accepted()).toHaveLength(1);
    expect(fake.accepted()[0].body.markdown.content).toContain('【测试消息】');
    expect(out.join('\n')).toContain('ops');
  });

  it('send-test: explains 93000 in words and exits 1, without printing the key', async () => {
    const config = writeConfig({ wecom: { api_base: fake.url }, receivers: [{ name: 'ops', robot: { key: 'wrong-key-0002' } }], route: { receiver: 'ops' } });
    const err: string[] = [];
    expect(await sendTestCommand({ config, receiver: 'ops' }, () => undefined, (line) => err.push(line))).toBe(1);
    const text = err.join('\n');
    expect(text).toContain('93000');
    expect(text).toContain('key=');
    expect(text).not.toContain('wrong-key-0002');
  });

  it('send-test: an unknown receiver is exit 1 naming the configured ones', async () => {
    const config = writeConfig({ receivers: [{ name: 'stdout', console: {} }], route: { receiver: 'stdout' } });
    const err: string[] = [];
    expect(await sendTestCommand({ config, receiver: 'nope' }, () => undefined, (line) => err.push(line))).toBe(1);
    expect(err.join('\n')).toContain('unknown receiver "nope"; configured: stdout');
  });

  it('dead-letters: lists a 93000 failure with receiver, errcode and reason, then requeues it', async () => {
    const configObject = { ...robotConfig(fake.url, { key: 'wrong-key-0002' }) };
    const file = writeConfig(configObject);
    const t = await buildApp({ ...configObject, storage: { path: join(dir, 'data') } }, { dir });
    try {
      await request(t.app).post('/webhook/alertmanager').set('Content-Type', 'application/json').send(rawFixture('alertmanager-firing.json')).expect(200);
      const deadline = Date.now() + 5000;
      while ((await t.service.store.deadLetters()).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    } finally {
      await t.close();
    }
    const out: string[] = [];
    expect(await deadLettersCommand({ config: file }, (line) => out.push(line))).toBe(0);
    const listing = out.join('\n');
    expect(listing).toMatch(/1 dead letter\(s\):/);
    expect(listing).toMatch(/receiver ops .* errcode 93000 \(invalid_webhook\)/);
    expect(listing).toContain('机器人 key 无效');
    const id = /id (\d+)/.exec(listing)![1];

    const requeued: string[] = [];
    expect(await deadLettersCommand({ config: file, requeue: id }, (line) => requeued.push(line))).toBe(0);
    expect(requeued.join('\n')).toContain('requeued 1 notification(s) for ops');
    const after: string[] = [];
    await deadLettersCommand({ config: file }, (line) => after.push(line));
    expect(after.join('\n')).toContain('no dead letters');
    expect(await deadLettersCommand({ config: file, requeue: '999' }, () => undefined)).toBe(1);
  });
});
