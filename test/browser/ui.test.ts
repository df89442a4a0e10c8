import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { FakeWecom } from '../support/fake-wecom';
import { buildApp, type TestApp } from '../support/build-app';
import { ConsoleShots, DESKTOP, PHONE, describeWithChromium, launchChromium, waitUntil, type Browser } from '../support/chromium';
import { loadFixture, rawFixture } from '../support/fixtures';
import { syntheticPayload } from '../support/synthetic-alerts';

/**
 * Console v2 in a real browser: Debian's Chromium (`apt-get install chromium`, what .ci/run does)
 * driven by playwright-core (launched by test/support/chromium.ts), against the real service on
 * loopback. The operator signs in on the login page, then every view answers its question: what is
 * firing (a 200-alert storm), did the notification go out and what did it say, what is in the dead
 * letters, and what a template edit would send — on a 1280-px desktop and a 375-px phone. Missing
 * Chromium fails in CI and is skipped with a warning elsewhere. Screenshots go to
 * test-output/console/; with `UPDATE_DOCS_SCREENSHOTS=1` (`npm run screenshots:console`) also to
 * docs/console/ for the README. Chinese renders with Debian's fonts-noto-cjk. The card-action and
 * unknown-receiver views with data are in ui-actions.test.ts.
 */
const TOKEN = 'browser-bearer-token-0001';
const USER = { username: 'ops', password: 'console-password-1' };
const GOOD_KEY = 'good-robot-key-0001';
const BAD_KEY = 'removed-robot-key-0002';

jest.setTimeout(90_000);

// Callbacks passed to page.evaluate run in the browser; the test project has no DOM lib.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;
declare const window: any;
declare const location: any;

describeWithChromium('console v2 in Chromium', () => {
  let fake: FakeWecom;
  let t: TestApp;
  let server: Server;
  let base: string;
  let browser: Browser;
  let page: Page;
  let shots: ConsoleShots;
  const shot = (name: string) => shots.shot(name);
  const bothWidths = (name: string, ready: () => Promise<void>) => shots.bothWidths(name, ready);

  const webhook = (path: string, body: string) => fetch(`${base}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' }, body });

  beforeAll(async () => {
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
    expect((await webhook('/webhook/grafana', rawFixture('grafana-unified-firing.json'))).status).toBe(200);
    expect((await webhook('/webhook/kibana', rawFixture('kibana-rule-index-threshold.json'))).status).toBe(200);
    expect((await webhook('/webhook/alertmanager/broken', rawFixture('alertmanager-firing.json'))).status).toBe(200);
    // A storm: 200 alerts in one Alertmanager group, delivered in several numbered parts.
    expect((await webhook('/webhook/alertmanager', JSON.stringify(syntheticPayload({ alertname: 'DiskFull', prefix: 'db', fingerprint: 'd' }, 1, 200)))).status).toBe(200);
    await waitUntil(async () => (await t.service.store.deadLetters()).length === 1 && (await t.service.store.pendingCounts()).ops === undefined && fake.accepted().length >= 4, 'the dead letter and the deliveries');

    browser = await launchChromium({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    page = browser.page;
    shots = new ConsoleShots(page);
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await t?.close();
    await fake?.stop();
  });

  it('signs in on the login page (wrong password refused), with an HttpOnly SameSite=Strict cookie', async () => {
    const response = await page.goto(`${base}/ui/`);
    expect(page.url()).toBe(`${base}/ui/login`);
    expect(response?.status()).toBe(200);
    await bothWidths('login', async () => {
      await page.locator('.login-form').waitFor();
    });
    await page.fill('input[name="username"]', USER.username);
    await page.fill('input[name="password"]', 'wrong');
    browser.expectedErrors.push(/status of 401/);
    await page.click('button[type="submit"]');
    await page.locator('.login-box .error').waitFor();
    expect(await page.locator('.login-box .error').textContent()).toContain('wrong credentials');
    await page.fill('input[name="password"]', USER.password);
    await page.click('button[type="submit"]');
    await page.waitForURL(`${base}/ui/`);
    const [cookie] = await browser.context.cookies(base);
    expect(cookie).toMatchObject({ name: 'wecom_console_session', httpOnly: true, sameSite: 'Strict', secure: false, path: '/' });
    expect(await page.evaluate(() => document.cookie)).toBe('');
  });

  it('alerts view: the storm and the other alerts are firing, with where, since, receivers and their state', async () => {
    await page.goto(`${base}/ui/#/alerts`);
    await page.locator('#live.ok').waitFor();
    await page.waitForFunction(() => document.querySelectorAll('#firing-list .alert-card').length >= 200);
    expect(await page.locator('#firing-count').textContent()).toBe(String(await page.locator('#firing-list .alert-card').count()));
    expect(await page.locator('#view-notifications').isHidden()).toBe(true);
    await bothWidths('alerts', async () => {
      await page.locator('#firing-list > *').first().waitFor();
    });
    // The storm is one collapsed group that says how many and where they went; it opens to each alert.
    const group = page.locator('#firing-list details.alert-group[data-name="DiskFull"]');
    expect(await group.locator('summary .count').textContent()).toBe('200');
    expect(await group.locator('.group-states').textContent()).toBe('ops 已发送 sent 200');
    await group.locator('summary').click();
    const disk = page.locator('#firing-list .alert-card[data-fingerprint^="d"]').first();
    await disk.waitFor();
    expect(await disk.locator('.alert-name').textContent()).toBe('DiskFull');
    expect(await disk.locator('.where').textContent()).toMatch(/^instance=db-1-\d+$/);
    expect(await disk.locator('.since').textContent()).toContain('开始 since 2025-03-18 10:00:00');
    expect(await disk.locator('a.delivery').textContent()).toBe('ops · 已发送 sent');
    const broken = page.locator('#firing-list .alert-card', { has: page.locator('a.delivery', { hasText: 'broken' }) }).first();
    expect(await broken.locator('a.delivery').textContent()).toBe('broken · 死信 dead');
  });

  it('alerts view: searches the history with Alertmanager matchers; the link opens the notifications that carried the alert', async () => {
    await page.fill('#history-form input[name="matchers"]', 'instance=~"db-1-1[0-4]", severity="critical"');
    await page.click('#history-form button[type="submit"]');
    await page.waitForFunction(() => location.hash.includes('matchers='));
    await page.waitForFunction(() => document.querySelectorAll('#history-result tr[data-fingerprint]').length === 3);
    // The filter is in the link: reloading keeps it.
    await page.reload();
    await page.waitForFunction(() => document.querySelectorAll('#history-result tr[data-fingerprint]').length === 3);
    expect(await page.inputValue('#history-form input[name="matchers"]')).toBe('instance=~"db-1-1[0-4]", severity="critical"');
    await page.locator('#history-result tr[data-fingerprint] a.more').first().click();
    await page.waitForFunction(() => location.hash.startsWith('#/notifications?fingerprint='));
    await page.waitForFunction(() => document.querySelectorAll('#notification-list tr[data-id]').length === 1);
    expect(await page.locator('#notification-list tr[data-id]').textContent()).toContain('DiskFull');
    expect(await page.locator('#notification-filter-note').isVisible()).toBe(true);
  });

  it('notifications view: one row per notification, storm parts n/n, dead letters never "retrying"', async () => {
    await page.goto(`${base}/ui/#/notifications`);
    await page.waitForFunction(() => document.querySelectorAll('#notification-list tr[data-id]').length === 4);
    const rows = page.locator('#notification-list tr[data-id]');
    const storm = rows.filter({ hasText: 'DiskFull' });
    expect(await storm.count()).toBe(1);
    const parts = (await storm.locator('td[data-label="分段 Parts"]').textContent())!;
    expect(parts).toMatch(/^(\d+)\/\1$/);
    expect(Number(parts.split('/')[0])).toBeGreaterThan(1);
    expect(await storm.locator('.state').textContent()).toBe('已发送 sent');
    expect(await storm.locator('.status').textContent()).toBe('告警中 firing');
    const dead = rows.filter({ hasText: 'broken' });
    expect(await dead.locator('.state').textContent()).toBe('死信 dead (errcode 93000)');
    expect(await page.locator('#notification-list .state-retrying').count()).toBe(0);
    await page.selectOption('#notification-form select[name="state"]', 'dead');
    await page.click('#notification-form button[type="submit"]');
    await page.waitForFunction(() => document.querySelectorAll('#notification-list tr[data-id]').length === 1);
    await page.goto(`${base}/ui/#/notifications`);
    await bothWidths('notifications', async () => {
      await page.waitForFunction(() => document.querySelectorAll('#notification-list tr[data-id]').length === 4);
    });
  });

  it('notification detail: the alerts, every part with WeCom answer and the exact body, rendered in the phone frame', async () => {
    await page.locator('#notification-list tr[data-id]', { hasText: 'DiskFull' }).click();
    await page.waitForFunction(() => /^#\/notifications\/\d+$/.test(location.hash));
    await page.locator('#notification-detail .attempt').first().waitFor();
    expect(await page.locator('#notification-detail .alert-lines li').count()).toBe(200);
    const attempts = page.locator('#notification-detail .attempt');
    const count = await attempts.count();
    expect(count).toBeGreaterThan(1);
    expect(await attempts.first().locator('summary').textContent()).toMatch(new RegExp(`第 \\d+/${count} 段 part .* errcode 0 · ok`));
    await attempts.first().locator('summary').click();
    const body = JSON.parse((await attempts.first().locator('pre.raw').textContent())!);
    expect(fake.accepted().map((request) => request.body)).toContainEqual(body);
    expect(await attempts.first().locator('.phone .wecom').count()).toBe(1);
    // The heading of the detail is not hidden under the sticky header.
    await page.locator('#detail-heading').scrollIntoViewIfNeeded();
    await page.evaluate(() => document.getElementById('detail-heading').scrollIntoView());
    const headingTop = await page.evaluate(() => document.getElementById('detail-heading').getBoundingClientRect().top);
    const headerBottom = await page.evaluate(() => document.querySelector('.top').getBoundingClientRect().bottom);
    expect(headingTop).toBeGreaterThanOrEqual(headerBottom);
    await bothWidths('notification-detail', async () => {
      await page.locator('#notification-detail .attempt').first().waitFor();
    });
  });

  it('dead letters: which alerts, the Chinese and English hint, a detail, requeue after the fix', async () => {
    await page.click('[data-tab="dead-letters"]');
    await page.locator('#dead-letter-list .letter').waitFor();
    const letter = page.locator('#dead-letter-list .letter');
    expect(await letter.count()).toBe(1);
    expect(await letter.locator('.names').textContent()).toMatch(/\S/);
    expect(await letter.locator('.hint').textContent()).toContain('机器人 key 无效');
    expect(await letter.locator('.hint').textContent()).toContain('invalid robot key');
    expect(await page.locator('#dead-count').textContent()).toBe('1');
    await bothWidths('dead-letters', async () => {
      await page.locator('#dead-letter-list .letter').waitFor();
    });
    await letter.locator('a.button').click();
    await page.locator('#dead-letter-detail .attempt').first().waitFor();
    expect(await page.locator('#dead-letter-detail .dead-reason').textContent()).toContain('93000');
    await bothWidths('dead-letter-detail', async () => {
      await page.locator('#dead-letter-detail .attempt').first().waitFor();
    });
    // The operator re-added the robot: WeCom now accepts the key.
    fake.respond((request) => (request.query.get('key') === BAD_KEY ? { json: { errcode: 0, errmsg: 'ok' } } : undefined));
    await page.locator('#dead-letter-detail button.requeue').click();
    await page.locator('#dead-letter-list .empty').waitFor({ timeout: 10_000 });
    await waitUntil(async () => (await t.service.store.notifications({ receiver: 'broken', state: 'sent', limit: 5 })).length === 1, 'the requeued notification sent');
    await page.waitForFunction(() => document.getElementById('dead-count').hidden === true, undefined, { timeout: 10_000 });
  });

  it('template editor: a live debounced preview in the phone frame, the byte meter, errors with line numbers, download when saving is off', async () => {
    await page.goto(`${base}/ui/#/templates/alertmanager.md.hbs`);
    await page.locator('#preview-result .phone').first().waitFor();
    expect(await page.inputValue('#tpl-name')).toBe('alertmanager.md.hbs');
    expect(await page.locator('#tpl-save').isHidden()).toBe(true);
    expect(await page.locator('#tpl-save-note').textContent()).toContain('server.ui.edit_templates: false');
    // Routing detail is collapsed by default.
    expect(await page.locator('#preview-result details.routing').getAttribute('open')).toBeNull();
    await page.fill('#tpl-text', '## 值班提醒 {{alerts.length}} 条\n**{{commonLabels.alertname}}**');
    await page.waitForFunction(() => (document.querySelector('#preview-result .wecom')?.textContent ?? '').includes('值班提醒'));
    expect(await page.locator('#preview-result .wecom h2').first().textContent()).toMatch(/^值班提醒 \d+ 条$/);
    expect(await page.locator('#preview-result .meter-text').first().textContent()).toMatch(/^\d+ \/ 4096 字节 bytes \(\d+%\)$/);
    const phoneWidth = await page.locator('#preview-result .phone').first().evaluate((node: any) => node.getBoundingClientRect().width);
    expect(phoneWidth).toBeLessThanOrEqual(375);
    await bothWidths('templates', async () => {
      await page.locator('#preview-result .phone').first().waitFor();
    });
    await page.fill('#tpl-text', 'line one\nline two\n{{#each alerts}}\nunclosed');
    await page.locator('#tpl-errors .template-error').waitFor();
    const errorText = (await page.locator('#tpl-errors .template-error').first().textContent())!;
    expect(errorText).toMatch(/第 \d+ 行 line \d+/);
    await page.locator('#tpl-errors .template-error button.link').first().click();
    const selected = await page.evaluate(() => {
      const area = document.getElementById('tpl-text');
      return area.value.slice(area.selectionStart, area.selectionEnd);
    });
    expect(['{{#each alerts}}', 'unclosed', 'line two']).toContain(selected);
    await shot('templates-error-desktop');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#tpl-download')]);
    expect(download.suggestedFilename()).toBe('alertmanager.md.hbs');
    expect(readFileSync((await download.path())!, 'utf8')).toBe('line one\nline two\n{{#each alerts}}\nunclosed');
  });

  it('template playground: a pasted storm previews at most 500 alerts and says so; payload markup never runs', async () => {
    // A reload: the editor keeps an unsaved edit across views, this test starts from the file.
    await page.reload();
    await page.locator('#preview-result .phone').first().waitFor();
    await page.click('#tpl-payload-box summary');
    const storm = syntheticPayload({ alertname: 'Huge', prefix: 'h', fingerprint: 'h' }, 1, 600);
    storm.alerts[0].labels.alertname = '<img src=x onerror="window.pwned=1">';
    await page.fill('#pg-payload', JSON.stringify(storm));
    await page.locator('#preview-result .notice').waitFor({ timeout: 20_000 });
    expect(await page.locator('#preview-result .notice').textContent()).toContain('只预览前 500 条告警（共 600 条）');
    expect(await page.locator('#preview-result img').count()).toBe(0);
    expect(await page.evaluate(() => window.pwned)).toBeUndefined();
    const bad = loadFixture('grafana-unified-firing.json');
    bad.alerts[0].status = 'exploded';
    await page.selectOption('#pg-source', 'grafana');
    browser.expectedErrors.push(/status of 400/);
    await page.fill('#pg-payload', JSON.stringify(bad));
    await page.locator('#preview-result .error-path').waitFor();
    expect(await page.locator('#preview-result .error-path').textContent()).toBe('alerts[0].status');
  });

  it('receivers view: rate window in words, queue, last error, send test', async () => {
    await page.goto(`${base}/ui/#/receivers`);
    await page.locator('.card[data-receiver="dba"]').waitFor();
    expect(await page.locator('.card[data-receiver="dba"] .rate').textContent()).toMatch(/^已用 used \d+ \/ 20 · 窗口 window 1m$/);
    const card = page.locator('.card[data-receiver="ops"]');
    await card.locator('button.send-test').click();
    await card.locator('.lines.ok').waitFor();
    expect(await card.locator('.lines').textContent()).toContain('成功');
    // No webhook named an unknown receiver: a quiet line, no warning box.
    expect(await page.locator('#unknown-receivers .unknown-none').textContent()).toContain('没有发往未知接收者的 webhook No webhooks to unknown receivers');
    expect(await page.locator('#unknown-receivers .unknown-box').count()).toBe(0);
    await bothWidths('receivers', async () => {
      await page.locator('.card[data-receiver="dba"]').waitFor();
    });
  });

  it('actions view (#/actions): empty states when nothing was done from a WeCom card', async () => {
    await page.goto(`${base}/ui/#/actions`);
    // The lists first show a "加载中… loading" placeholder in the same .empty slot: wait for the answer.
    await page.locator('#ack-list .empty', { hasText: '还没有认领' }).waitFor();
    await page.locator('#audit-list .empty', { hasText: '审计日志为空' }).waitFor();
    expect(await page.locator('#ack-list .empty').textContent()).toContain('还没有认领 No acknowledgements yet');
    expect(await page.locator('#audit-list .empty').textContent()).toBe('审计日志为空 The audit log is empty.');
    expect(await page.locator('#ack-count').textContent()).toBe('');
    expect(await page.locator('#refused-count').textContent()).toBe('');
  });

  it('phone: tabs at the bottom in thumb reach, tables stacked, every view without horizontal scrolling', async () => {
    await page.setViewportSize(PHONE);
    await page.goto(`${base}/ui/#/alerts`);
    await page.locator('#firing-list > *').first().waitFor();
    const tabs = await page.evaluate(() => document.querySelector('.tabs').getBoundingClientRect());
    expect(tabs.bottom).toBeCloseTo(PHONE.height, 0);
    for (const view of ['notifications', 'dead-letters', 'templates', 'receivers', 'actions', 'alerts']) {
      await page.click(`[data-tab="${view}"]`);
      await page.waitForFunction((id: string) => !document.getElementById(`view-${id}`).hidden, view);
      const heading = await page.evaluate((id: string) => document.querySelector(`#view-${id} h2`).getBoundingClientRect().top, view);
      const headerBottom = await page.evaluate(() => document.querySelector('.top').getBoundingClientRect().bottom);
      expect({ view, visible: heading >= headerBottom }).toEqual({ view, visible: true });
    }
    await page.setViewportSize(DESKTOP);
  });

  it('renders the WeCom markdown subset and escapes everything else (the preview module in the browser)', async () => {
    // A string, not a function: ts-jest would compile a function's import() into a require helper.
    const html = await page.evaluate(`(async () => {
      const { wecomMarkdownToHtml } = await import(location.origin + '/ui/assets/wecom-markdown.js');
      return [
        wecomMarkdownToHtml('## <font color="warning">告警 1 条</font>\\n**CPU** <font color="info">已恢复</font>\\n> 实例 \\\`db-1:9104\\\`\\n> [查看](https://grafana.example.cn/d/x?a=1&b=2)\\n\\n<@zhangsan>'),
        wecomMarkdownToHtml('<script>alert(1)</script>'),
        wecomMarkdownToHtml('[x](javascript:alert(1))'),
        wecomMarkdownToHtml('<font color="red" onclick="x">r</font>'),
      ];
    })()`);
    expect(html).toEqual([
      '<h2><span class="wc-warning">告警 1 条</span></h2><p><strong>CPU</strong> <span class="wc-info">已恢复</span></p><blockquote>实例 <code>db-1:9104</code><br><a href="https://grafana.example.cn/d/x?a=1&amp;b=2" target="_blank" rel="noopener noreferrer">查看</a></blockquote><p><span class="wc-mention">@zhangsan</span></p>',
      '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>',
      '<p>[x](javascript:alert(1))</p>',
      '<p>&lt;font color=&quot;red&quot; onclick=&quot;x&quot;&gt;r&lt;/font&gt;</p>',
    ]);
  });

  it('signs out: the session ends and the page goes back to the login', async () => {
    await page.goto(`${base}/ui/#/alerts`);
    await page.click('#logout');
    await page.waitForURL(`${base}/ui/login`);
    await page.goto(`${base}/ui/`);
    expect(page.url()).toBe(`${base}/ui/login`);
  });

  it('logged no page errors or CSP violations', () => {
    expect(browser.pageErrors).toEqual([]);
  });
});
