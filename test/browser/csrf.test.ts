import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { FakeWecom } from '../support/fake-wecom';
import { buildApp, type TestApp } from '../support/build-app';
import { describeWithChromium, launchChromium, waitUntil, type Browser } from '../support/chromium';

/**
 * CSRF in a real browser (issue 16 item 3): Debian's Chromium, logged in to the console with basic
 * auth (httpCredentials, as an operator's browser remembers them), visits a page on another site
 * (`http://localhost:<port>`, another site than the adapter's `http://127.0.0.1:<port>`). That page
 * auto-submits a text/plain form whose body is a valid Kibana alert, an urlencoded form to
 * `/-/reload`, and `fetch(…, {mode: 'no-cors', credentials: 'include'})` to both — the requests a
 * browser sends without a CORS preflight. The adapter receives them with the credentials and must
 * deliver nothing and reload nothing; the console itself (same origin) keeps working.
 */
const USER = { username: 'ops', password: 'console-password-1' };
const KEY = 'csrf-robot-key-0001';

jest.setTimeout(60_000);

/** A Kibana rule body split for a text/plain form: the browser sends `name=value\r\n`, i.e. valid JSON. */
const KIBANA_NAME = '{"source":"kibana","rule":{"id":"csrf-rule","name":"CSRF 注入的告警"},"alert":{"action_group":"query matched"},"context":{"title":"forged by another site","pad":"';
const KIBANA_VALUE = '"}}';

function attackerPages(target: string): Record<string, string> {
  const page = (body: string) => `<!doctype html><meta charset="utf-8"><title>loading</title><body>${body}</body>`;
  const quote = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
  return {
    '/form-kibana': page(
      `<form id="f" method="POST" enctype="text/plain" action="${target}/webhook/kibana"><input name="${quote(KIBANA_NAME)}" value="${quote(KIBANA_VALUE)}"></form><script>document.getElementById('f').submit()</script>`,
    ),
    // Referrer-Policy no-referrer makes the browser send `Origin: null`: only Sec-Fetch-Site tells.
    '/form-kibana-no-referrer': page(
      `<meta name="referrer" content="no-referrer"><form id="f" method="POST" enctype="text/plain" action="${target}/webhook/kibana"><input name="${quote(KIBANA_NAME)}" value="${quote(KIBANA_VALUE)}"></form><script>document.getElementById('f').submit()</script>`,
    ),
    '/form-reload': page(`<form id="f" method="POST" action="${target}/-/reload"><input name="a" value="1"></form><script>document.getElementById('f').submit()</script>`),
    '/fetch': page(
      `<script>
        const body = ${JSON.stringify(KIBANA_NAME + '=' + KIBANA_VALUE)};
        Promise.allSettled([
          fetch(${JSON.stringify(`${target}/webhook/kibana`)}, { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'Content-Type': 'text/plain' }, body }),
          fetch(${JSON.stringify(`${target}/-/reload`)}, { method: 'POST', mode: 'no-cors', credentials: 'include' }),
        ]).then(() => { document.title = 'done'; });
      </script>`,
    ),
  };
}

interface Seen {
  method: string;
  path: string;
  origin?: string;
  site?: string;
  authorized: boolean;
  status?: number;
}

describeWithChromium('CSRF from another site in Chromium', () => {
  let fake: FakeWecom;
  let t: TestApp;
  let adapter: Server;
  let attacker: Server;
  let base: string;
  let evil: string;
  let browser: Browser;
  let page: Page;
  let reloads = 0;
  const seen: Seen[] = [];

  const attacks = () => seen.filter((entry) => entry.method === 'POST' && (entry.origin === evil || entry.origin === 'null'));

  beforeAll(async () => {
    fake = await new FakeWecom({ robotKeys: [KEY] }).start();
    t = await buildApp(
      {
        server: { auth: { basic: USER } },
        wecom: { api_base: fake.url, timeout: '2s' },
        delivery: { retry: { initial_backoff: '20ms', max_backoff: '200ms', rate_limited_backoff: '200ms' } },
        receivers: [{ name: 'ops', robot: { key: KEY } }],
        route: { receiver: 'ops' },
      },
      {
        reload: () => {
          reloads += 1;
          return { config: t.service.current.config, source: 'csrf-browser.yaml', baseDir: t.dir };
        },
      },
    );
    adapter = createServer((req, res) => {
      const entry: Seen = { method: req.method ?? '', path: (req.url ?? '').split('?')[0], origin: req.headers.origin, site: req.headers['sec-fetch-site'] as string | undefined, authorized: Boolean(req.headers.authorization) };
      seen.push(entry);
      res.once('finish', () => (entry.status = res.statusCode));
      t.app(req, res);
    });
    await new Promise<void>((resolve) => adapter.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(adapter.address() as AddressInfo).port}`;
    const pages = attackerPages(base);
    attacker = createServer((req, res) => {
      const html = pages[(req.url ?? '').split('?')[0]];
      res.writeHead(html ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8' }).end(html ?? 'not found');
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    // localhost and 127.0.0.1 are different sites to a browser: this is "another site".
    evil = `http://localhost:${(attacker.address() as AddressInfo).port}`;

    // httpCredentials: the browser answers every Basic challenge with the operator's credentials,
    // as one that remembers them from an earlier login does.
    browser = await launchChromium({ httpCredentials: USER });
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    for (const server of [adapter, attacker]) await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await t?.close();
    await fake?.stop();
  });

  it('the forged Kibana body is one the adapter would deliver if a sender posted it', async () => {
    // Control: the same bytes without a browser's Origin are a valid alert (so the refusals below are not a parse error).
    const res = await fetch(`${base}/webhook/kibana`, { method: 'POST', headers: { Authorization: `Basic ${Buffer.from(`${USER.username}:${USER.password}`).toString('base64')}`, 'Content-Type': 'text/plain' }, body: `${KIBANA_NAME}=${KIBANA_VALUE}\r\n` });
    expect(res.status).toBe(200);
    await fake.waitFor(() => fake.accepted().length === 1, 10_000, 'the control delivery');
  });

  it.each(['/form-kibana', '/form-kibana-no-referrer', '/form-reload'])('an auto-submitted form on %s is refused: nothing delivered, nothing reloaded', async (path) => {
    const before = { delivered: fake.requests.length, reloads, attacks: attacks().length };
    const refused = page.waitForResponse((response) => response.request().method() === 'POST' && response.url().startsWith(base));
    await page.goto(`${evil}${path}`);
    const response = await refused;
    expect(response.status()).toBe(403);
    await waitUntil(() => attacks().length > before.attacks && attacks().every((entry) => entry.status !== undefined), 'the forged request to reach the adapter');
    // Refused on its Origin before auth, so the browser gets no 401 challenge to answer with the
    // remembered credentials (which, without the guard, it does — and the alert goes out).
    expect(attacks().at(-1)).toMatchObject({ status: 403, site: 'cross-site' });
    expect(await response.text()).toContain('server.allowed_origins');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fake.requests.length).toBe(before.delivered);
    expect(reloads).toBe(before.reloads);
  });

  it('fetch(no-cors, credentials: include) from the other site is refused the same way', async () => {
    const before = { delivered: fake.requests.length, reloads, attacks: attacks().length };
    await page.goto(`${evil}/fetch`);
    await page.waitForFunction(() => (globalThis as unknown as { document: { title: string } }).document.title === 'done', undefined, { timeout: 10_000 });
    await waitUntil(() => attacks().length >= before.attacks + 2 && attacks().every((entry) => entry.status !== undefined), 'both fetches to reach the adapter');
    const fetched = attacks().slice(before.attacks);
    expect(fetched.map((entry) => [entry.path, entry.status]).sort()).toEqual([
      ['/-/reload', 403],
      ['/webhook/kibana', 403],
    ]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fake.requests.length).toBe(before.delivered);
    expect(reloads).toBe(before.reloads);
    expect(await t.metricValue('wecom_adapter_csrf_refused_total')).toBeGreaterThanOrEqual(4);
    expect(await t.service.store.receiversWithWork()).toEqual([]);
  });

  it('the console itself (same origin) still changes state: its own POST sends a test message', async () => {
    await page.goto(`${base}/healthz`);
    // What the console's script does for "send test message", from a page of the adapter's own origin
    // (with explicit credentials, so this holds whichever way the console signs in).
    const authorization = `Basic ${Buffer.from(`${USER.username}:${USER.password}`).toString('base64')}`;
    const status = await page.evaluate(async (auth) => {
      const res = await fetch('/ui/api/receivers/ops/test', { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: auth }, body: '{}' });
      return res.status;
    }, authorization);
    expect(status).toBe(200);
    const own = seen.filter((entry) => entry.method === 'POST' && entry.path === '/ui/api/receivers/ops/test').at(-1)!;
    expect(own).toMatchObject({ origin: base, site: 'same-origin', status: 200 });
    await fake.waitFor(() => fake.accepted().length === 2, 10_000, 'the test message');
  });
});
