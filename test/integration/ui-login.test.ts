import request from 'supertest';
import { join } from 'node:path';
import { validateConfig, type LoadedConfig } from '../../src/config/load';
import { buildApp, type TestApp } from '../support/build-app';

/**
 * Browser sign-in of the console: the login page accepts exactly the configured credentials
 * (basic user/password and bearer tokens), issues an HttpOnly, SameSite=Strict session cookie
 * (Secure over HTTPS), requires the session's CSRF token on every state-changing request, logs
 * out, and ends sessions when the credentials change; API clients keep using Authorization.
 */
const TOKEN = 'login-bearer-token-0001';
const USER = { username: 'ops', password: 'console-password-1' };

describe('console sign-in', () => {
  let t: TestApp;
  let password = USER.password;
  const config = () => ({ server: { auth: { bearer_tokens: [TOKEN], basic: { username: USER.username, password } } }, receivers: [{ name: 'c', console: {} }], route: { receiver: 'c' } });

  beforeAll(async () => {
    let dir = '';
    const reload = (): LoadedConfig => ({ config: validateConfig({ ...config(), storage: { path: join(dir, 'data') } }, 'test-config.yaml', dir, {}), source: join(dir, 'test-config.yaml'), baseDir: dir });
    t = await buildApp(config(), { reload });
    dir = t.dir;
  });
  afterAll(async () => {
    await t.close();
  });

  const login = (form: Record<string, string>, headers: Record<string, string> = {}) => request(t.app).post('/ui/login').set(headers).type('form').send(form);
  const cookieOf = (res: request.Response) => String(res.headers['set-cookie']?.[0] ?? '').split(';')[0];
  async function signIn(): Promise<{ cookie: string; csrf: string }> {
    const res = await login(USER).expect(303);
    const cookie = cookieOf(res);
    const page = await request(t.app).get('/ui/').set('Cookie', cookie).expect(200);
    const csrf = /<meta name="csrf-token" content="([^"]+)">/.exec(page.text)?.[1];
    expect(csrf).toBeDefined();
    return { cookie, csrf: csrf! };
  }

  it('offers the configured credential kinds on a page with a strict CSP that only lets the form post to itself', async () => {
    const res = await request(t.app).get('/ui/login').expect(200);
    expect(res.text).toContain('name="username"');
    expect(res.text).toContain('name="token"');
    expect(res.text).not.toContain('<script');
    expect(res.headers['content-security-policy']).toContain("form-action 'self'");
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
  });

  it('refuses wrong credentials with the page again (401) and sets no cookie', async () => {
    const res = await login({ username: 'ops', password: 'wrong' }).expect(401);
    expect(res.text).toContain('用户名、密码或令牌错误');
    expect(res.headers['set-cookie']).toBeUndefined();
    await login({ token: 'not-a-token-at-all' }).expect(401);
    await login({}).expect(400);
  });

  it('issues an HttpOnly, SameSite=Strict session cookie for the user and password, Secure over HTTPS', async () => {
    const res = await login(USER).expect(303);
    expect(res.headers.location).toBe('./');
    const cookie = String(res.headers['set-cookie'][0]);
    expect(cookie).toMatch(/^wecom_console_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    const https = await login(USER, { 'X-Forwarded-Proto': 'https' }).expect(303);
    expect(String(https.headers['set-cookie'][0])).toMatch(/; Secure$/);
  });

  it('signs in with a bearer token too', async () => {
    const res = await login({ token: TOKEN }).expect(303);
    await request(t.app).get('/ui/api/receivers').set('Cookie', cookieOf(res)).expect(200);
  });

  it('admits the session to the page and the API, and requires its CSRF token on every POST', async () => {
    const { cookie, csrf } = await signIn();
    await request(t.app).get('/ui/api/notifications').set('Cookie', cookie).expect(200);
    const postAs = (headers: Record<string, string>) => request(t.app).post('/ui/api/dead-letters/requeue-all').set('Cookie', cookie).set('Content-Type', 'application/json').set(headers).send('{}');
    expect((await postAs({}).expect(403)).body.error).toContain('CSRF');
    await postAs({ 'X-CSRF-Token': 'forged' }).expect(403);
    await postAs({ 'X-CSRF-Token': csrf }).expect(200);
    // Another session's token does not work for this one.
    const other = await signIn();
    await postAs({ 'X-CSRF-Token': other.csrf }).expect(403);
  });

  it('logs out (a CSRF-checked POST): the cookie is cleared and the session no longer works', async () => {
    const { cookie, csrf } = await signIn();
    await request(t.app).post('/ui/logout').set('Cookie', cookie).set('Content-Type', 'application/json').send('{}').expect(403);
    const res = await request(t.app).post('/ui/logout').set('Cookie', cookie).set('X-CSRF-Token', csrf).set('Content-Type', 'application/json').send('{}').expect(200);
    expect(String(res.headers['set-cookie'][0])).toContain('Max-Age=0');
    expect((await request(t.app).get('/ui/').set('Cookie', cookie).set('Accept', 'text/html').expect(302)).headers.location).toBe('login');
    await request(t.app).get('/ui/api/receivers').set('Cookie', cookie).expect(401);
  });

  it('keeps bearer and basic working for API clients (no session, no CSRF token)', async () => {
    await request(t.app).get('/ui/api/receivers').set('Authorization', `Bearer ${TOKEN}`).expect(200);
    await request(t.app).get('/ui/api/receivers').auth(USER.username, USER.password).expect(200);
    await request(t.app).post('/ui/api/dead-letters/requeue-all').set('Authorization', `Bearer ${TOKEN}`).set('Content-Type', 'application/json').send('{}').expect(200);
    const page = await request(t.app).get('/ui/').set('Authorization', `Bearer ${TOKEN}`).expect(200);
    expect(page.text).not.toContain('csrf-token');
  });

  it('ends every session when the credentials change (reload)', async () => {
    const { cookie } = await signIn();
    password = 'a-new-console-password';
    await request(t.app).post('/-/reload').set('Authorization', `Bearer ${TOKEN}`).expect(200);
    await request(t.app).get('/ui/api/receivers').set('Cookie', cookie).expect(401);
    await login(USER).expect(401);
    await login({ username: USER.username, password }).expect(303);
  });
});
