import request from 'supertest';
import { judge, pathLabel } from '../../src/http/cross-origin-guard';
import { FakeWecom } from '../support/fake-wecom';
import { buildApp, robotConfig, type TestApp } from '../support/build-app';
import { rawFixture } from '../support/fixtures';

/**
 * CSRF (issue 16 item 3): state-changing requests carrying a foreign Origin or Sec-Fetch-Site:
 * cross-site / same-site are refused with 403 before auth, unless the origin is configured; the
 * senders (no Origin, no Sec-Fetch-Site) pass exactly as before, Kibana's text/plain, form and
 * missing content types included; `/-/reload` refuses form-sendable body types. The real-browser
 * version of the attack is test/browser/csrf.test.ts.
 */
const TOKEN = 'csrf-bearer-token-0001';
const HOST = 'adapter.example.cn:8090';
const auth = `Bearer ${TOKEN}`;
const kibana = rawFixture('kibana-rule-es-query.json');
const am = rawFixture('real-alertmanager-0.25-firing.json');

describe('cross-origin guard', () => {
  let fake: FakeWecom;
  let t: TestApp;

  beforeAll(async () => {
    fake = await new FakeWecom().start();
    t = await buildApp(
      robotConfig(fake.url, {}, {
        server: {
          auth: { bearer_tokens: [TOKEN] },
          allowed_origins: ['https://grafana.example.cn'],
          external_url: 'https://alerts.example.cn/',
        },
      }),
      // Reload re-reads "the file": here, the running config again.
      { reload: () => ({ config: t.service.current.config, source: 'csrf-test.yaml', baseDir: t.dir }) },
    );
  });
  afterAll(async () => {
    await t.close();
    await fake.stop();
  });

  const kibanaPost = (headers: Record<string, string>, contentType = 'text/plain') =>
    request(t.app).post('/webhook/kibana').set('Host', HOST).set('Authorization', auth).set('Content-Type', contentType).set(headers).send(kibana);

  it.each([
    ['a foreign Origin', { Origin: 'https://evil.example' }, 'foreign_origin'],
    ['a foreign Origin on another port of the same host', { Origin: 'http://adapter.example.cn:8091' }, 'foreign_origin'],
    ['Origin: null without Sec-Fetch-Site', { Origin: 'null' }, 'foreign_origin'],
    ['Origin: null from a cross-site sandboxed frame', { Origin: 'null', 'Sec-Fetch-Site': 'cross-site' }, 'cross_site'],
    ['Sec-Fetch-Site: cross-site without Origin', { 'Sec-Fetch-Site': 'cross-site' }, 'cross_site'],
    ['Sec-Fetch-Site: same-site (a sibling subdomain)', { Origin: 'https://wiki.example.cn', 'Sec-Fetch-Site': 'same-site' }, 'foreign_origin'],
    ['our own Host but Sec-Fetch-Site: cross-site', { Origin: `http://${HOST}`, 'Sec-Fetch-Site': 'cross-site' }, 'cross_site'],
  ])('refuses a text/plain Kibana POST with %s: 403 naming the origin and the key, nothing queued', async (_name, headers, reason) => {
    const before = fake.requests.length;
    const res = await kibanaPost(headers).expect(403);
    expect(res.body.error).toMatch(/cross-site request refused/);
    expect(res.body.error).toContain('server.allowed_origins');
    expect(res.body.config_key).toBe('server.allowed_origins');
    if ('Origin' in headers) expect(res.body.origin).toBe(headers.Origin);
    expect(await t.metricValue('wecom_adapter_csrf_refused_total', { path: '/webhook/kibana', reason })).toBeGreaterThan(0);
    expect(await t.service.store.receiversWithWork()).toEqual([]);
    expect(fake.requests.length).toBe(before);
  });

  it('refuses before auth: a cross-site page learns nothing about credentials', async () => {
    await request(t.app).post('/webhook/alertmanager').set('Origin', 'https://evil.example').set('Content-Type', 'application/json').send(am).expect(403);
  });

  it.each([
    ['/api/v1/messages', 'application/json', '{"title":"x","content":"y"}'],
    ['/-/reload', 'application/x-www-form-urlencoded', 'a=1'],
    ['/ui/api/dead-letters/requeue-all', 'application/json', '{}'],
    ['/ui/api/receivers/ops/test', 'application/json', '{}'],
  ])('refuses a foreign Origin on %s too', async (path, type, body) => {
    const res = await request(t.app).post(path).set('Host', HOST).set('Authorization', auth).set('Origin', 'https://evil.example').set('Content-Type', type).send(body).expect(403);
    expect(res.body.origin).toBe('https://evil.example');
  });

  it('logs the refusal with the origin and path, without the credentials', () => {
    const line = t.logs.find((entry) => entry.includes('cross-site request refused') && entry.includes('https://evil.example'));
    expect(line).toBeDefined();
    expect(line).toContain('"path":"/webhook/kibana"');
    expect(t.logs.join('')).not.toContain(TOKEN);
  });

  it.each([
    ['no Origin, text/plain (Kibana connector)', {}, 'text/plain'],
    ['no Origin, form type (Watcher)', {}, 'application/x-www-form-urlencoded'],
    ['the same origin', { Origin: `http://${HOST}`, 'Sec-Fetch-Site': 'same-origin' }, 'text/plain'],
    ['the same origin over https behind a TLS proxy', { Origin: `https://${HOST}` }, 'text/plain'],
    ['server.external_url as origin', { Origin: 'https://alerts.example.cn' }, 'text/plain'],
    ['a listed origin, cross-site', { Origin: 'https://grafana.example.cn', 'Sec-Fetch-Site': 'cross-site' }, 'text/plain'],
    ['Sec-Fetch-Site: none (typed by the user)', { 'Sec-Fetch-Site': 'none' }, 'text/plain'],
    ['Origin: null from our own no-referrer page (Sec-Fetch-Site: same-origin)', { Origin: 'null', 'Sec-Fetch-Site': 'same-origin' }, 'text/plain'],
  ])('accepts %s', async (_name, headers, type) => {
    const res = await kibanaPost(headers, type).expect(200);
    expect(res.body.status).toBe('accepted');
  });

  it('accepts a Kibana body with no Content-Type and no Origin, as today', async () => {
    await request(t.app).post('/webhook/kibana').set('Authorization', auth).send(Buffer.from(kibana)).expect(200);
  });

  it('never touches GET: a cross-site page may still link to the console', async () => {
    await request(t.app).get('/healthz').set('Origin', 'https://evil.example').set('Sec-Fetch-Site', 'cross-site').expect(200);
  });

  describe('/-/reload takes no form-sendable body', () => {
    it.each(['application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/plain'])('refuses %s with 415 even without Origin (older browsers)', async (type) => {
      const res = await request(t.app).post('/-/reload').set('Authorization', auth).set('Content-Type', type).send('').expect(415);
      expect(res.body.error).toMatch(/curl -X POST/);
      expect(await t.metricValue('wecom_adapter_csrf_refused_total', { path: '/-/reload', reason: 'form_body' })).toBeGreaterThan(0);
    });

    it('reloads on a bare POST (curl -X POST) and on application/json', async () => {
      await request(t.app).post('/-/reload').set('Authorization', auth).expect(200);
      await request(t.app).post('/-/reload').set('Authorization', auth).set('Content-Type', 'application/json').send('{}').expect(200);
    });

    it('still answers 401 first to anonymous callers', async () => {
      await request(t.app).post('/-/reload').set('Content-Type', 'text/plain').send('x').expect(401);
    });
  });
});

describe('judge and pathLabel', () => {
  const settings = { allowed_origins: ['https://grafana.example.cn'] };
  it.each([
    [undefined, undefined, 'allowed'],
    [undefined, 'cross-site', 'cross_site'],
    [undefined, 'same-site', 'cross_site'],
    ['http://adapter:8090', undefined, 'allowed'],
    ['http://adapter:8090', 'same-origin', 'allowed'],
    ['HTTP://ADAPTER:8090', undefined, 'allowed'],
    ['http://adapter', undefined, 'foreign_origin'],
    ['https://grafana.example.cn:443', 'cross-site', 'allowed'],
    ['null', 'same-origin', 'allowed'],
    ['null', 'cross-site', 'cross_site'],
    ['null', undefined, 'foreign_origin'],
    ['file://', undefined, 'foreign_origin'],
    ['not a url', undefined, 'foreign_origin'],
  ] as const)('Origin %s (Sec-Fetch-Site %s) on Host adapter:8090 → %s', (origin, site, expected) => {
    expect(judge(origin, site, 'adapter:8090', settings)).toBe(expected);
  });

  it('treats an explicit default port in Host like the bare origin', () => {
    expect(judge('http://adapter', undefined, 'adapter:80', settings)).toBe('allowed');
  });

  it('keeps the metric label bounded', () => {
    expect(pathLabel('/webhook/kibana/ops')).toBe('/webhook/kibana');
    expect(pathLabel('/webhook/x123')).toBe('/webhook/other');
    expect(pathLabel('/ui/api/preview')).toBe('/ui');
    expect(pathLabel('/random-7f3a')).toBe('other');
  });
});

describe('allowed_origins config', () => {
  it('names a value that is not an origin', async () => {
    await expect(buildApp(robotConfig('http://127.0.0.1:1', {}, { server: { allowed_origins: ['https://grafana.example.cn/path'] } }))).rejects.toThrow(/server\.allowed_origins\[0\]: not an origin/);
  });
});
