import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { FakeWecom } from '../support/fake-wecom';
import { SAMPLE_AES_KEY, WecomCallbackSender } from '../support/fake-wecom-callback';
import { buildApp, type TestApp } from '../support/build-app';
import { ConsoleShots, PHONE, DESKTOP, describeWithChromium, launchChromium, waitUntil, type Browser } from '../support/chromium';
import { loadFixture, rawFixture } from '../support/fixtures';

/**
 * The console's views of acting from WeCom cards and of webhooks to unknown receivers, in Debian's
 * Chromium (launched by test/support/chromium.ts) against the real service on loopback. The data
 * comes the way it does in production: a real Alertmanager 0.25 payload (test/fixtures/README; its
 * startsAt moved to 7 minutes ago, so the time to acknowledge is a real-looking one) goes to an
 * interactive app receiver, the fake WeCom (test/support/fake-wecom-callback.ts: WeCom /90968,
 * /90376) sends signed, encrypted clicks — 认领 by zhangsan, the same by lisi (a duplicate), 静默 by
 * wangwu who is not in `callback.allow_users` (refused) — and a sender posts to a receiver name with
 * a typo (answered 404). Screenshots: actions-*, alerts-acked-*, receivers-unknown-* (desktop 1280
 * px, phone 375 px), into docs/console/ with `npm run screenshots:console`.
 */
const TOKEN = 'browser-bearer-token-0002';
const USER = { username: 'ops', password: 'console-password-2' };
const SECRET = 'app-secret-0123456789abcdef';
const CORP = 'ww0123456789abcdef';
const CALLBACK_TOKEN = 'cbToken123';
const AGENT = 1000002;
const ROBOT_KEY = 'actions-robot-key-0001';

jest.setTimeout(90_000);

// Callbacks passed to page.evaluate run in the browser; the test project has no DOM lib.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;

describeWithChromium('console: card actions and unknown receivers in Chromium', () => {
  let fake: FakeWecom;
  let t: TestApp;
  let server: Server;
  let base: string;
  let browser: Browser;
  let page: Page;
  let shots: ConsoleShots;
  const sender = new WecomCallbackSender({ token: CALLBACK_TOKEN, encodingAesKey: SAMPLE_AES_KEY, corpId: CORP, agentId: AGENT });

  const webhook = (path: string, body: string) => fetch(`${base}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' }, body });
  const click = async (user: string, taskId: string, eventKey: string) => {
    const signed = sender.click({ user, taskId, eventKey });
    const res = await fetch(`${base}/wecom/callback/oncall?${new URLSearchParams(signed.query)}`, { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body: signed.body });
    expect(res.status).toBe(200);
  };

  beforeAll(async () => {
    fake = await new FakeWecom({ robotKeys: [ROBOT_KEY], apps: { [SECRET]: { corpid: CORP } } }).start();
    t = await buildApp({
      server: { auth: { bearer_tokens: [TOKEN], basic: USER } },
      wecom: { api_base: fake.url, timeout: '2s' },
      delivery: { retry: { initial_backoff: '20ms', max_backoff: '200ms', rate_limited_backoff: '200ms' } },
      receivers: [
        { name: 'oncall', app: { corp_id: CORP, secret: SECRET, agent_id: AGENT, to_user: 'zhangsan|lisi', msgtype: 'template_card', callback: { token: CALLBACK_TOKEN, encoding_aes_key: SAMPLE_AES_KEY, allow_users: ['zhangsan', 'lisi'] } } },
        { name: 'ops', robot: { key: ROBOT_KEY } },
      ],
      route: { receiver: 'oncall', routes: [{ matchers: ['source="grafana"'], receiver: 'ops' }] },
    });
    server = await new Promise<Server>((resolve) => {
      const listening = t.app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const payload = loadFixture('real-alertmanager-0.25-firing.json');
    const startsAt = new Date(Date.now() - 7 * 60_000).toISOString();
    for (const alert of payload.alerts) alert.startsAt = startsAt;
    expect((await webhook('/webhook/alertmanager', JSON.stringify(payload))).status).toBe(200);
    expect((await webhook('/webhook/grafana', rawFixture('grafana-unified-firing.json'))).status).toBe(200);
    await waitUntil(() => fake.accepted('/message/send').length === 1, 'the interactive card');
    const taskId = fake.accepted('/message/send')[0].body.template_card.task_id as string;
    await click('zhangsan', taskId, 'ack');
    await click('lisi', taskId, 'ack');
    await click('wangwu', taskId, 'silence:3600000');
    await waitUntil(async () => (await t.service.actions!.recentAudit(10)).length === 3, 'three audit entries');
    // A sender's URL with a typo: `opps` is not a receiver; answered 404 (Alertmanager drops it).
    expect((await webhook('/webhook/alertmanager/opps', rawFixture('real-alertmanager-0.25-firing.json'))).status).toBe(404);

    browser = await launchChromium({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    page = browser.page;
    shots = new ConsoleShots(page);
    await page.goto(`${base}/ui/login`);
    await page.fill('input[name="username"]', USER.username);
    await page.fill('input[name="password"]', USER.password);
    await page.click('button[type="submit"]');
    await page.waitForURL(`${base}/ui/`);
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await t?.close();
    await fake?.stop();
  });

  it('actions view (#/actions): who acknowledged which alert, when and how fast; the audit log with the refusal standing out', async () => {
    await page.goto(`${base}/ui/#/actions`);
    await page.waitForFunction(() => document.querySelectorAll('#ack-list tr.ack-row').length === 2);
    expect(await page.locator('[data-tab="actions"]').getAttribute('aria-current')).toBe('page');
    expect(await page.title()).toBe('操作 Actions · wecom-alert-adapter');
    const acks = page.locator('#ack-list tr.ack-row');
    for (const row of await acks.all()) {
      expect(await row.locator('td[data-label="认领人 Who"]').textContent()).toBe('zhangsan');
      expect(await row.locator('a.alert-link').textContent()).toBe('DiskFull');
      expect(await row.locator('td[data-label="认领于 When"]').textContent()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      // Acknowledged about 7 minutes after the alert started.
      expect(await row.locator('td.time-to-ack').textContent()).toMatch(/^7m( \d+s)?$/);
    }
    expect(await page.locator('#ack-count').textContent()).toBe('2');

    const audit = page.locator('#audit-list tr.audit-row');
    expect(await audit.count()).toBe(3);
    // Newest first: the refusal, the duplicate, the acknowledgement.
    expect(await audit.evaluateAll((rows: any[]) => rows.map((row) => [row.querySelector('.who').textContent, row.dataset.result]))).toEqual([
      ['wangwu', 'denied'],
      ['lisi', 'duplicate'],
      ['zhangsan', 'ok'],
    ]);
    const refused = page.locator('#audit-list tr.refused');
    expect(await refused.count()).toBe(1);
    expect(await refused.locator('td[data-label="操作 Action"]').textContent()).toContain('静默 silence');
    expect(await refused.locator('.result').textContent()).toBe('拒绝 refused');
    expect(await refused.locator('.detail').textContent()).toBe('not in callback.allow_users');
    expect(await refused.locator('td[data-label="对象 Target"]').textContent()).toContain('DiskFull');
    expect(await audit.nth(1).locator('.detail').textContent()).toBe('already acknowledged by zhangsan');
    expect(await page.locator('#refused-count').textContent()).toBe('拒绝 refused 1');
    await shots.bothWidths('actions', async () => {
      await page.locator('#audit-list tr.refused').waitFor();
    });
    // The alert name links to the notifications that carried it.
    await acks.first().locator('a.alert-link').click();
    await page.waitForFunction(() => document.location.hash.startsWith('#/notifications?fingerprint='));
    await page.waitForFunction(() => document.querySelectorAll('#notification-list tr[data-id]').length === 1);
  });

  it('alerts view: an acknowledged alert says who and when ("zhangsan 已认领 10:32"); the others do not', async () => {
    await page.goto(`${base}/ui/#/alerts`);
    // Two DiskFull (acknowledged on the card) and two Grafana alerts sent to a robot (no buttons).
    await page.waitForFunction(() => document.querySelectorAll('#firing-list .alert-card').length === 4);
    const acked = page.locator('#firing-list .alert-card.is-acked');
    expect(await acked.count()).toBe(2);
    for (const card of await acked.all()) {
      expect(await card.locator('.alert-name').textContent()).toBe('DiskFull');
      expect(await card.locator('.acked').textContent()).toMatch(/^zhangsan 已认领 \d\d:\d\d acknowledged$/);
      expect(await card.locator('.acked').getAttribute('title')).toMatch(/^acknowledged by zhangsan at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d · 用时 time to ack 7m/);
    }
    const other = page.locator('#firing-list .alert-card:not(.is-acked)');
    expect(await other.count()).toBe(2);
    expect(await other.locator('.acked').count()).toBe(0);
    // The history marks the same episodes.
    await page.waitForFunction(() => document.querySelectorAll('#history-result tr[data-fingerprint]').length === 4);
    expect(await page.locator('#history-result tr[data-fingerprint] .acked').count()).toBe(2);
    await shots.bothWidths('alerts-acked', async () => {
      await page.locator('#firing-list .alert-card.is-acked').first().waitFor();
    });
  });

  it('receivers view: a warning box names the unknown receiver with time, source and sender, and says Alertmanager drops 404s', async () => {
    await page.goto(`${base}/ui/#/receivers`);
    const box = page.locator('#unknown-receivers .unknown-box');
    await box.waitFor();
    expect(await box.locator('h3').textContent()).toBe('⚠ 未知接收者 unknown receiver: opps');
    expect(await box.textContent()).toContain('Alertmanager 把 404 当作永久失败');
    expect(await box.textContent()).toContain('Alertmanager treats a 404 as permanent and drops the alerts');
    expect(await box.textContent()).toContain('已配置 configured: oncall, ops');
    const row = box.locator('tr.unknown-row');
    expect(await row.count()).toBe(1);
    expect(await row.locator('td[data-label="时间 When"]').textContent()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(await row.locator('td[data-label="来源 Source"]').textContent()).toBe('alertmanager');
    expect(await row.locator('td[data-label="接收者 Receiver"] .unknown-name').textContent()).toBe('opps');
    expect(await row.locator('td[data-label="接收者 Receiver"] .sub').textContent()).toBe('/webhook/alertmanager/opps');
    expect(await row.locator('td[data-label="发送方 Sender"]').textContent()).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
    // Above the receiver cards: the first thing on the page.
    const boxTop = await box.evaluate((node: any) => node.getBoundingClientRect().top);
    const cardsTop = await page.locator('#receiver-list').evaluate((node: any) => node.getBoundingClientRect().top);
    expect(boxTop).toBeLessThan(cardsTop);
    expect(await page.locator('.unknown-none').count()).toBe(0);
    await shots.bothWidths('receivers-unknown', async () => {
      await box.waitFor();
    });
  });

  it('phone: the six tabs fit the bottom bar, each one tappable', async () => {
    await page.setViewportSize(PHONE);
    await page.goto(`${base}/ui/#/actions`);
    await page.locator('#ack-list tr.ack-row').first().waitFor();
    const tabs = await page.locator('.tabs a').evaluateAll((links: any[]) => links.map((link) => ({ tab: link.dataset.tab, box: link.getBoundingClientRect(), fits: link.scrollWidth <= link.clientWidth })));
    expect(tabs.map((tab) => tab.tab)).toEqual(['alerts', 'notifications', 'dead-letters', 'templates', 'receivers', 'actions']);
    for (const tab of tabs) {
      expect({ tab: tab.tab, fits: tab.fits, inside: tab.box.right <= PHONE.width + 0.5, tall: tab.box.height >= 44 }).toEqual({ tab: tab.tab, fits: true, inside: true, tall: true });
    }
    await page.setViewportSize(DESKTOP);
  });

  it('logged no page errors or CSP violations', () => {
    expect(browser.pageErrors).toEqual([]);
  });
});
