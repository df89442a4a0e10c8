import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { Preview } from '../../src/pipeline/preview';
import { FakeWecom } from '../support/fake-wecom';
import { buildApp, type TestApp } from '../support/build-app';
import { loadFixture, rawFixture } from '../support/fixtures';
import { inCI } from '../support/real-binaries';

/**
 * The web console in a real browser: Debian's Chromium (`apt-get install chromium`, what .ci/run
 * does) driven by playwright-core, against the real service listening on loopback, with basic auth
 * the way an operator's browser logs in. Missing Chromium fails in CI and is skipped with a warning
 * elsewhere. Screenshots go to test-output/; `UPDATE_DOCS_SCREENSHOT=1` also refreshes docs/ui.png
 * (not on every run: its timestamps would change the committed file each time); install Debian's
 * fonts-noto-cjk first, or the Chinese labels show as boxes.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = join(__dirname, '..', '..');
const OUT = join(ROOT, 'test-output');
const TOKEN = 'browser-bearer-token-0001';
const USER = { username: 'ops', password: 'console-password-1' };
const GOOD_KEY = 'good-robot-key-0001';
const BAD_KEY = 'removed-robot-key-0002';
// No background traffic: this machine's network is closed, and Chromium's own calls only add noise.
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

jest.setTimeout(60_000);

// The callbacks passed to page.evaluate / waitForFunction run in the browser. The test project has
// no DOM lib (it is Node code), so these names are declared here, for this file only.
declare const window: Record<string, unknown> & { scrollTo(x: number, y: number): void };
declare const document: { querySelector(selector: string): { textContent: string | null } | null; querySelectorAll(selector: string): ArrayLike<{ textContent: string | null }>; getElementById(id: string): { value: string } | null; documentElement: { scrollWidth: number; clientWidth: number } };
declare function getComputedStyle(node: unknown): { color: string };

function describeWithChromium(title: string, body: () => void): void {
  if (existsSync(CHROMIUM)) return describe(title, body);
  const message = `${CHROMIUM} not found; install it with \`apt-get install -y --no-install-recommends chromium\` (what .ci/run does) or set CHROMIUM_PATH`;
  if (inCI) {
    describe(title, () => it('has Chromium (required in CI)', () => {
      throw new Error(message);
    }));
    return;
  }
  console.warn(`SKIPPED browser tests — ${message}`);
  describe(title, () => it.skip(`SKIPPED: ${CHROMIUM} not installed`, () => undefined));
}

async function waitUntil(predicate: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describeWithChromium('web console in Chromium', () => {
  let fake: FakeWecom;
  let t: TestApp;
  let server: Server;
  let base: string;
  let profile: string;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  const webhook = (path: string, fixture: string) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' }, body: rawFixture(fixture) });
  const rowCount = () => page.locator('#delivery-rows tr[data-id]').count();

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    // WeCom knows only the good key: the "broken" receiver's robot was removed (93000, a dead letter).
    fake = await new FakeWecom({ robotKeys: [GOOD_KEY] }).start();
    t = await buildApp({
      server: { auth: { bearer_tokens: [TOKEN], basic: USER } },
      wecom: { api_base: fake.url, timeout: '2s' },
      delivery: { retry: { initial_backoff: '20ms', max_backoff: '200ms', rate_limited_backoff: '200ms' } },
      receivers: [
        { name: 'ops', robot: { key: GOOD_KEY, mention: { users: ['zhangsan'] } } },
        { name: 'dba', robot: { key: GOOD_KEY, rate_limit: { count: 20, per: '1m' } } },
        { name: 'broken', robot: { key: BAD_KEY } },
      ],
      route: { receiver: 'ops', routes: [{ matchers: ['source="grafana"'], receiver: 'dba' }] },
    });
    server = await new Promise<Server>((resolve) => {
      const listening = t.app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect((await webhook('/webhook/grafana', 'grafana-unified-firing.json')).status).toBe(200);
    expect((await webhook('/webhook/kibana', 'kibana-rule-index-threshold.json')).status).toBe(200);
    expect((await webhook('/webhook/alertmanager/broken', 'alertmanager-firing.json')).status).toBe(200);
    await waitUntil(async () => (await t.service.store.deadLetters()).length === 1 && fake.accepted().length >= 2, 'one dead letter and two deliveries');

    profile = mkdtempSync(join(tmpdir(), 'wecom-ui-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      httpCredentials: USER,
      viewport: { width: 1280, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
    // CSP violations and failed fetches show up as console errors.
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`console: ${message.text()}`);
    });
  });

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await t?.close();
    await fake?.stop();
  });

  it('loads /ui with basic auth and shows deliveries, the dead letter and the receivers', async () => {
    const response = await page.goto(`${base}/ui`);
    expect(response?.status()).toBe(200);
    expect(page.url()).toBe(`${base}/ui/`);
    await page.locator('#live.ok').waitFor();
    expect(await rowCount()).toBe(3);
    await expect(page.locator('#delivery-rows tr[data-status="dead"]').textContent()).resolves.toContain('93000');
    const letter = page.locator('#dead-letter-list li[data-id]');
    expect(await letter.count()).toBe(1);
    expect(await letter.textContent()).toContain('机器人 key 无效');
    expect(await page.locator('#dead-count').textContent()).toBe('1');
    expect(await page.locator('.card[data-receiver="dba"] .rate').textContent()).toBe('1 / 20 每 per 1m');
    expect(await page.locator('.card[data-receiver="broken"] .last-error').textContent()).toContain('errcode 93000');
  });

  it('shows a new notification without reloading the page', async () => {
    await page.evaluate(() => (window.notReloaded = true));
    const before = await rowCount();
    expect((await webhook('/webhook/alertmanager', 'real-alertmanager-0.25-firing.json')).status).toBe(200);
    await page.waitForFunction((count) => document.querySelectorAll('#delivery-rows tr[data-id]').length > count, before, { timeout: 10_000 });
    const newest = page.locator('#delivery-rows tr[data-id]').first();
    expect(await newest.textContent()).toContain('alertmanager');
    expect(await newest.getAttribute('data-status')).toBe('sent');
    expect(await page.evaluate(() => window.notReloaded)).toBe(true);
  });

  it('opens the exact body of a delivery', async () => {
    await page.locator('#delivery-rows tr[data-id]').first().click();
    const dialog = page.locator('#delivery-dialog');
    await dialog.waitFor({ state: 'visible' });
    const shown = JSON.parse((await page.locator('#dialog-body').textContent()) ?? '');
    const sent = fake.accepted().at(-1)!.body;
    expect(shown).toEqual(sent);
    // The body's markdown is also shown rendered, with the mention highlighted.
    expect(await page.locator('#dialog-preview .wc-mention').first().textContent()).toBe('@zhangsan');
    await page.screenshot({ path: join(OUT, 'ui-delivery-body.png') });
    await page.locator('#dialog-close').click();
    await dialog.waitFor({ state: 'hidden' });
  });

  it('sends a test message from a receiver card and shows the sentences', async () => {
    const card = page.locator('.card[data-receiver="ops"]');
    await card.locator('button.send-test').click();
    await card.locator('.lines.ok').waitFor();
    expect(await card.locator('.lines').textContent()).toContain('成功');
    const broken = page.locator('.card[data-receiver="broken"]');
    await broken.locator('button.send-test').click();
    await broken.locator('.lines.bad').waitFor();
    expect(await broken.locator('.lines').textContent()).toContain('93000');
  });

  it('renders a Grafana example in the playground: coloured status, byte count, raw text side by side', async () => {
    await page.selectOption('#pg-example', 'grafana-unified-firing');
    await page.waitForFunction(() => document.getElementById('pg-payload')!.value.includes('"alerts"'));
    expect(await page.locator('#pg-source').inputValue()).toBe('grafana');
    await page.locator('#pg-render').click();
    const message = page.locator('#preview-result .message').first();
    await message.waitFor();
    expect(await page.locator('#preview-result .routing').textContent()).toContain('→ dba');

    // The same dry run through the API gives the numbers the page must show.
    const expected = (await (
      await fetch(`${base}/ui/api/preview`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ source: 'grafana', payload: rawFixture('grafana-unified-firing.json') }),
      })
    ).json()) as Preview;
    const first = expected.notifications[0].messages[0];
    expect(await message.locator('.bytes').textContent()).toBe(`${first.bytes} / 4096 B`);
    expect(await message.locator('pre.raw').first().textContent()).toBe(first.content);

    // <font color="warning"> is shown orange-red, <font color="info"> green; never as a <font> element.
    const rendered = message.locator('.rendered .wecom');
    const warning = rendered.locator('.wc-warning').first();
    expect(await warning.count()).toBe(1);
    expect(await warning.evaluate((node) => getComputedStyle(node).color)).toBe('rgb(242, 89, 12)');
    expect(await rendered.locator('h2').count()).toBeGreaterThan(0);
    expect(await rendered.locator('strong').count()).toBeGreaterThan(0);
    expect(await rendered.locator('font, script').count()).toBe(0);
    await message.screenshot({ path: join(OUT, 'ui-playground-message.png') });
  });

  it('shows the 400 and the failing path for a bad payload, and never runs payload markup', async () => {
    const bad = loadFixture('grafana-unified-firing.json');
    bad.alerts[0].status = 'exploded';
    await page.locator('#pg-payload').fill(JSON.stringify(bad));
    await page.locator('#pg-render').click();
    await page.locator('#preview-result .preview-error').waitFor();
    expect(await page.locator('#preview-result .preview-error strong').textContent()).toMatch(/^400 /);
    expect(await page.locator('#preview-result .error-path').textContent()).toBe('alerts[0].status');
    // Chromium logs the 400 it just received; that one is expected.
    const expected400 = pageErrors.findIndex((line) => line.includes('status of 400'));
    if (expected400 >= 0) pageErrors.splice(expected400, 1);

    const hostile = loadFixture('grafana-unified-firing.json');
    hostile.alerts[0].labels.alertname = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>';
    hostile.commonLabels.alertname = hostile.alerts[0].labels.alertname;
    await page.locator('#pg-payload').fill(JSON.stringify(hostile));
    await page.locator('#pg-render').click();
    await page.locator('#preview-result .message').first().waitFor();
    expect(await page.locator('#preview-result img, #preview-result script').count()).toBe(0);
    expect(await page.locator('#preview-result .routing').textContent()).toContain('<img src=x onerror=');
    expect(await page.evaluate(() => window.pwned)).toBeUndefined();

    // Back to the real example for the screenshots.
    await page.selectOption('#pg-example', '');
    await page.selectOption('#pg-example', 'grafana-unified-firing');
    await page.waitForFunction(() => !document.getElementById('pg-payload')!.value.includes('pwned'));
    await page.locator('#pg-render').click();
    await page.waitForFunction(() => !document.querySelector('#preview-result')!.textContent!.includes('pwned') && document.querySelector('#preview-result .message') !== null);
    // From the top, so the sticky header is where it belongs in a full-page shot.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(OUT, 'ui-desktop.png'), fullPage: true });
    if (process.env.UPDATE_DOCS_SCREENSHOT) await page.screenshot({ path: join(ROOT, 'docs', 'ui.png'), fullPage: true });
  });

  it('requeues a dead letter after the cause is fixed, and it leaves the list', async () => {
    // The operator re-added the robot: WeCom now accepts the key.
    fake.respond((request) => (request.query.get('key') === BAD_KEY ? { json: { errcode: 0, errmsg: 'ok' } } : undefined));
    await page.locator('#dead-letter-list li[data-id] button.requeue').click();
    await page.locator('#dead-letter-list li.empty').waitFor({ timeout: 10_000 });
    expect(await page.locator('#dead-letter-list li[data-id]').count()).toBe(0);
    expect(await page.locator('#dead-count').isHidden()).toBe(true);
    await page.waitForFunction(() => Array.from(document.querySelectorAll('#delivery-rows tr[data-status="sent"]')).some((row) => row.textContent!.includes('broken')), undefined, { timeout: 10_000 });
    expect(await t.service.store.deadLetters()).toEqual([]);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(OUT, 'ui-after-requeue.png'), fullPage: true });
  });

  it('is usable on a phone: no horizontal overflow, rows stacked', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/ui/`);
    await page.locator('#live.ok').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await page.locator('#notifications thead').isHidden()).toBe(true);
    await page.screenshot({ path: join(OUT, 'ui-phone.png'), fullPage: true });
  });

  it('logged no page errors or CSP violations', () => {
    expect(pageErrors).toEqual([]);
  });
});
