import { Writable } from 'node:stream';
import express from 'express';
import pino from 'pino';
import { Registry } from 'prom-client';
import request from 'supertest';
import { createApp } from '../../src/app';
import { requireAuth } from '../../src/http/auth';
import { AuthThrottle, clientKey } from '../../src/http/auth-throttle';
import { createMetrics } from '../../src/metrics';
import { buildApp, type TestApp } from '../support/build-app';

/**
 * Failed-login throttle (issue 16 item 8): after `max_failures` wrong credentials from one address
 * in a window, that address gets 429 with Retry-After until the window ends; other addresses and
 * anonymous requests are untouched; X-Forwarded-For counts only from `server.trusted_proxies`;
 * the table of addresses is bounded. Time is a fake clock passed to createApp.
 */
const TOKEN = 'throttle-bearer-token-0001';
const USER = { username: 'ops', password: 'console-password-1' };
const good = `Bearer ${TOKEN}`;
const wrong = (i: number) => `Bearer wrong-guess-${i}`;
const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

async function setup(server: Record<string, unknown> = {}) {
  let now = Date.parse('2025-03-18T02:00:00Z');
  const t = await buildApp({ receivers: [{ name: 'c', console: {} }], route: { receiver: 'c' }, server: { auth: { bearer_tokens: [TOKEN], basic: USER }, ...server } });
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }));
  const app = createApp({ service: t.service, metrics: t.metrics, logger, clock: () => now });
  const msg = (auth?: string, forwardedFor?: string) => {
    const req = request(app).post('/api/v1/messages').set('Content-Type', 'application/json');
    if (auth) req.set('Authorization', auth);
    if (forwardedFor) req.set('X-Forwarded-For', forwardedFor);
    return req.send({ title: '备份失败', content: 'db-01' });
  };
  return { t, app, lines, msg, advance: (ms: number) => (now += ms) };
}

describe('auth throttle', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('answers 429 with Retry-After after 10 wrong credentials in a minute, right ones included, until the window ends', async () => {
    const s = await setup();
    t = s.t;
    for (let i = 0; i < 10; i++) await s.msg(wrong(i)).expect(401);
    s.advance(15_000);
    const refused = await s.msg(wrong(10)).expect(429);
    expect(refused.headers['retry-after']).toBe('45');
    expect(refused.body.error).toMatch(/too many failed authentications.*45 s.*server\.auth\.throttle/);
    // Answering the right guess differently would tell the guesser it was right.
    await s.msg(good).expect(429);
    s.advance(44_999);
    expect((await s.msg(good).expect(429)).headers['retry-after']).toBe('1');
    s.advance(1);
    await s.msg(good).expect(200);
    expect(await t.metricValue('wecom_adapter_auth_failures_total', { outcome: 'wrong' })).toBe(10);
    expect(await t.metricValue('wecom_adapter_auth_failures_total', { outcome: 'throttled' })).toBe(3);
  });

  it('logs a blocked address once per window, and never the guessed credentials', async () => {
    const s = await setup();
    t = s.t;
    for (let i = 0; i < 10; i++) await s.msg(wrong(i)).expect(401);
    for (let i = 0; i < 50; i++) await s.msg(wrong(i)).expect(429);
    const warnings = s.lines.filter((line) => line.includes('too many failed authentications'));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0])).toMatchObject({ level: 40, client: '127.0.0.1', failures: 10, windowSeconds: 60 });
    // The 429s are counted, not logged one by one.
    expect(s.lines.filter((line) => line.includes('"status":429'))).toHaveLength(0);
    expect(s.lines.join('')).not.toContain('wrong-guess-');
  });

  it('does not count requests without credentials (a browser before its login prompt)', async () => {
    const s = await setup();
    t = s.t;
    for (let i = 0; i < 30; i++) await s.msg().expect(401);
    await s.msg(good).expect(200);
    expect(await t.metricValue('wecom_adapter_auth_failures_total', { outcome: 'missing' })).toBe(30);
  });

  it('counts wrong basic credentials on the console like any other', async () => {
    const s = await setup();
    t = s.t;
    for (let i = 0; i < 10; i++) await request(s.app).get('/ui/').set('Authorization', basic('ops', `guess-${i}`)).expect(401);
    await request(s.app).get('/ui/').set('Authorization', basic(USER.username, USER.password)).expect(429);
  });

  it('with trusted_proxies, blocks the forwarded client only: other clients behind the proxy keep working', async () => {
    const s = await setup({ trusted_proxies: ['loopback'] });
    t = s.t;
    for (let i = 0; i < 10; i++) await s.msg(wrong(i), '203.0.113.7').expect(401);
    await s.msg(good, '203.0.113.7').expect(429);
    await s.msg(good, '198.51.100.20').expect(200);
    await s.msg(wrong(99), '198.51.100.20').expect(401);
    expect(s.lines.find((line) => line.includes('too many failed'))).toContain('"client":"203.0.113.7"');
  });

  it('without trusted_proxies ignores X-Forwarded-For, so a guesser cannot rotate it', async () => {
    const s = await setup();
    t = s.t;
    for (let i = 0; i < 10; i++) await s.msg(wrong(i), `203.0.113.${i}`).expect(401);
    await s.msg(wrong(10), '203.0.113.250').expect(429);
  });

  it('follows server.auth.throttle, and is off without inbound auth', async () => {
    const custom = await setup({ auth: { bearer_tokens: [TOKEN], throttle: { max_failures: 3, window: '10s' } } });
    t = custom.t;
    for (let i = 0; i < 3; i++) await custom.msg(wrong(i)).expect(401);
    expect((await custom.msg(good).expect(429)).headers['retry-after']).toBe('10');
    await t.close();
    // No server.auth: every request is accepted, whatever Authorization it carries; nothing to throttle.
    const open = await setup({ auth: undefined });
    t = open.t;
    for (let i = 0; i < 15; i++) await open.msg(wrong(i)).expect(200);
  });
});

describe('AuthThrottle memory and addresses', () => {
  function tiny(maxClients: number) {
    let now = 0;
    const metrics = createMetrics(new Registry(), { defaultMetrics: false });
    const throttle = new AuthThrottle({ limits: () => ({ max_failures: 2, window: 60_000, max_clients: maxClients }), metrics, logger: pino({ level: 'silent' }), now: () => now });
    const app = express();
    app.set('trust proxy', true);
    app.use(throttle.middleware());
    const check = requireAuth(() => ({ bearer_tokens: [TOKEN], protect_health: false, protect_metrics: false, throttle: { max_failures: 2, window: 60_000, max_clients: maxClients } }));
    // A login form: the credentials arrive in the body and become an Authorization header only here.
    app.post('/login', express.urlencoded({ extended: false }), (req, res, next) => {
      req.headers.authorization = `Bearer ${String((req.body as Record<string, unknown>).token)}`;
      check(req, res, (err?: unknown) => (err ? next(err) : res.send('signed in')));
    });
    app.get('/', check, (_req, res) => res.send('ok'));
    app.use((err: { status?: number }, _req: express.Request, res: express.Response, _next: express.NextFunction) => res.status(err.status ?? 500).end());
    return { throttle, app, advance: (ms: number) => (now += ms) };
  }

  it('remembers at most max_clients addresses, forgetting the oldest windows first', async () => {
    const { throttle, app, advance } = tiny(3);
    for (let i = 1; i <= 10; i++) {
      await request(app).get('/').set('X-Forwarded-For', `192.0.2.${i}`).set('Authorization', wrong(i)).expect(401);
      advance(1);
    }
    expect(throttle.size).toBe(3);
    // The newest are still counted: one more failure blocks 192.0.2.10 …
    await request(app).get('/').set('X-Forwarded-For', '192.0.2.10').set('Authorization', wrong(0)).expect(401);
    await request(app).get('/').set('X-Forwarded-For', '192.0.2.10').set('Authorization', good).expect(429);
    // … and expired windows are dropped as new ones arrive.
    advance(60_000);
    await request(app).get('/').set('X-Forwarded-For', '192.0.2.99').set('Authorization', wrong(0)).expect(401);
    expect(throttle.size).toBe(1);
  });

  it('throttles a login form too: its credentials count, and a blocked address gets 429 with Retry-After', async () => {
    const { app } = tiny(10);
    const login = (token: string) => request(app).post('/login').type('form').send({ token });
    await login('guess-1').expect(401);
    await login('guess-2').expect(401);
    const refused = await login(TOKEN).expect(429);
    expect(refused.headers['retry-after']).toBe('60');
    // The header-carrying API is blocked for the same address.
    await request(app).get('/').set('Authorization', good).expect(429);
  });

  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::9', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
  ])('counts %s as %s', (address, key) => {
    expect(clientKey(address)).toBe(key);
  });
});
