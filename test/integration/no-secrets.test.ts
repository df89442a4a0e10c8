import { createServer } from 'node:net';
import request from 'supertest';
import { FakeWecom, type Reply } from '../support/fake-wecom';
import { buildApp, type TestApp } from '../support/build-app';
import { rawFixture } from '../support/fixtures';

/**
 * SPEC §8: secrets never appear in logs, metrics, error messages or responses. This drives every
 * error path we have — auth failures, bad payloads, WeCom errors of every class, network failures,
 * token failures, a failed reload — and then searches everything observable for each secret.
 */
const SECRETS = {
  robotKey: 'robot-key-SECRET-7f3a9c',
  robotKey2: 'robot-key-SECRET-other-11',
  appSecret: 'app-secret-SECRET-b81d2e',
  badAppSecret: 'app-secret-SECRET-wrong-9',
  bearer: 'bearer-SECRET-token-0c4e',
  basicPassword: 'basic-SECRET-password-55',
};

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('no secret leaks', () => {
  let fake: FakeWecom;
  let t: TestApp;
  const responses: string[] = [];

  beforeAll(async () => {
    fake = await new FakeWecom({ robotKeys: [SECRETS.robotKey], apps: { [SECRETS.appSecret]: { corpid: 'ww-corp' } } }).start();
    const deadPort = await closedPort();
    t = await buildApp({
      server: { auth: { bearer_tokens: [SECRETS.bearer], basic: { username: 'grafana', password: SECRETS.basicPassword } } },
      wecom: { api_base: fake.url, timeout: '500ms' },
      delivery: { retry: { initial_backoff: '10ms', max_backoff: '20ms', max_age: '200ms', rate_limited_backoff: '10ms' } },
      receivers: [
        { name: 'good-robot', robot: { key: SECRETS.robotKey } },
        { name: 'wrong-key-robot', robot: { key: SECRETS.robotKey2 } },
        { name: 'unreachable-robot', robot: { url: `http://127.0.0.1:${deadPort}/cgi-bin/webhook/send?key=${SECRETS.robotKey}` } },
        { name: 'good-app', app: { corp_id: 'ww-corp', secret: SECRETS.appSecret, agent_id: 1000002, to_user: 'zhangsan' } },
        { name: 'bad-app', app: { corp_id: 'ww-corp', secret: SECRETS.badAppSecret, agent_id: 1000003, to_user: 'lisi' } },
        { name: 'untrusted-ip-app', app: { corp_id: 'ww-corp', secret: SECRETS.appSecret, agent_id: 1000004, to_user: 'wangwu' } },
      ],
      route: { receivers: ['good-robot', 'wrong-key-robot', 'unreachable-robot', 'good-app', 'bad-app', 'untrusted-ip-app'] },
    });
  });
  afterAll(async () => {
    await t.close();
    await fake.stop();
  });

  it('drives every error path, then finds no secret anywhere', async () => {
    const auth = `Bearer ${SECRETS.bearer}`;
    const record = (res: request.Response) => responses.push(JSON.stringify({ status: res.status, headers: res.headers, body: res.text }));
    // auth failures, including a header that carries a secret-looking value
    record(await request(t.app).post('/webhook/alertmanager').set('Authorization', `Bearer ${SECRETS.bearer}x`).send({}));
    record(await request(t.app).post('/webhook/alertmanager').set('Authorization', `Basic ${Buffer.from(`grafana:${SECRETS.basicPassword}!`).toString('base64')}`).send({}));
    // bad payloads and protocol errors
    record(await request(t.app).post('/webhook/alertmanager').set('Authorization', auth).set('Content-Type', 'application/json').send('{"broken'));
    record(await request(t.app).post('/webhook/alertmanager').set('Authorization', auth).set('Content-Type', 'text/plain').send('x'));
    record(await request(t.app).post('/webhook/grafana').set('Authorization', auth).set('Content-Type', 'application/json').send({ alerts: 'x' }));
    record(await request(t.app).post('/webhook/alertmanager/nobody').set('Authorization', auth).set('Content-Type', 'application/json').send({}));
    // WeCom failures: 93000, connection refused, app 40001, app 42001 → refresh, 60020, 45009, HTTP 500
    fake.respond((r) => (r.path.endsWith('/message/send') && r.body?.agentid === 1000004 ? { json: { errcode: 60020, errmsg: 'not allow to access from your ip, hint: [x], from ip: 203.0.113.7' } } : undefined));
    fake.replySequence('/message/send', [{ json: { errcode: 42001, errmsg: 'access_token expired' } }]);
    record(await request(t.app).post('/webhook/alertmanager').set('Authorization', auth).set('Content-Type', 'application/json').send(rawFixture('real-alertmanager-0.25-firing.json')));
    const goodRobotFaults: Reply[] = [{ json: { errcode: 45009, errmsg: 'api freq out of limit' } }, { status: 500, text: 'oops' }];
    fake.respond((r) => (r.path.endsWith('/webhook/send') && r.query.get('key') === SECRETS.robotKey ? goodRobotFaults.shift() : undefined));
    record(await request(t.app).post('/webhook/alertmanager').set('Authorization', auth).set('Content-Type', 'application/json').send(rawFixture('real-alertmanager-0.25-resolved.json')));
    // wait until every receiver has either delivered or dead-lettered everything
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const pending = await t.service.store.pendingCounts();
      if (Object.values(pending).every((n) => n === 0)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const dead = await t.service.store.deadLetters();
    expect(dead.map((d) => d.receiver).sort()).toEqual(expect.arrayContaining(['bad-app', 'unreachable-robot', 'wrong-key-robot']));
    expect(dead.find((d) => d.receiver === 'wrong-key-robot')?.errcode).toBe(93000);
    expect(dead.find((d) => d.receiver === 'bad-app')?.errcode).toBe(40001);
    expect(dead.some((d) => d.errcode === 60020 && d.error.includes('203.0.113.7'))).toBe(true);
    // a failed reload (no reloader here → error path too)
    record(await request(t.app).post('/-/reload').set('Authorization', auth));

    const metrics = await t.metrics.registry.metrics();
    const deliveries = JSON.stringify(await t.service.store.recentDeliveries(1000));
    const haystacks = { logs: t.logs.join('\n'), responses: responses.join('\n'), metrics, deadLetters: JSON.stringify(dead), deliveries };
    for (const [where, text] of Object.entries(haystacks)) {
      for (const [name, secret] of Object.entries(SECRETS)) {
        if (text.includes(secret)) throw new Error(`${name} leaked into ${where}`);
      }
      expect(text).not.toMatch(/access_token=token-/);
    }
    // The logs did record the failures (the test would be vacuous otherwise).
    expect(haystacks.logs).toContain('93000');
    expect(haystacks.logs).toContain('40001');
    expect(haystacks.logs).toContain('60020');
    expect(haystacks.logs).toMatch(/ECONNREFUSED/);
  }, 30_000);
});
