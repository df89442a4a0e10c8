#!/usr/bin/env node
'use strict';
/**
 * npm run gallery: renders every payload fixture's messages with the built-in templates, exactly as
 * they would be sent (fixed clock, Asia/Shanghai, like the golden tests), into a 375-px WeCom-like
 * chat screen, and screenshots each with Debian's Chromium into docs/messages/ (PNG). The
 * golden tests pin the text; these pictures are for people to look at.
 * Options: GALLERY_ONLY=<substring> renders only matching fixtures; CHROMIUM_PATH overrides the browser.
 */
const { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } = require('node:fs');
const { join } = require('node:path');
const { chromium } = require('playwright-core');
const root = join(__dirname, '..');
const dist = (path) => require(join(root, 'dist', 'src', path));
const { TemplateEngine } = dist('render/engine');
const { messageFormat } = dist('render/format');
const { pack } = dist('render/packer');
const { findSource } = dist('sources/registry');
const { orderAlerts } = dist('render/alert-order');
const { DEFAULT_SEVERITY_SCHEME } = dist('render/severity');
const { page } = require('./gallery/wecom-html');
const { cardsPage } = require('./gallery/card-html');
const { buttonCard } = dist('interactive/card-builder');

const FIXTURES = join(root, 'test', 'fixtures', 'payloads');
const OUT = join(root, 'docs', 'messages');
const NOW = Date.parse('2025-03-18T04:00:00Z');
const TIMEZONE = 'Asia/Shanghai';
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/** Every fixture in markdown (the default robot format); these also in text and app textcard. */
const ALL_FORMATS = ['alertmanager-firing', 'alertmanager-resolved', 'alertmanager-storm-200', 'grafana-unified-storm', 'grafana-unified-error'];
const FORMATS = {
  markdown: messageFormat('robot', 'markdown'),
  text: messageFormat('robot', 'text'),
  textcard: messageFormat('app', 'textcard'),
};

function render(fixture, format, engine) {
  const name = fixture.replace(/^real-/, '').split('-')[0];
  const parsed = findSource(name).parse(JSON.parse(readFileSync(join(FIXTURES, fixture), 'utf8')), new Date(NOW));
  if (parsed.alerts.length === 0) return [];
  const notification = {
    kind: 'alerts', source: parsed.source, receiver: 'gallery', template: parsed.source, groupKey: parsed.groupKey,
    alerts: orderAlerts(parsed.alerts, DEFAULT_SEVERITY_SCHEME), groupLabels: parsed.groupLabels, commonLabels: parsed.commonLabels,
    commonAnnotations: parsed.commonAnnotations, externalURL: parsed.externalURL, truncatedAlerts: parsed.truncatedAlerts,
    senderTitle: parsed.senderTitle, senderMessage: parsed.senderMessage,
  };
  const mention = format.variant === 'md' ? { users: ['zhangsan'], mobiles: [], all: false } : undefined;
  return pack([{ id: fixture, notification, offset: 0, partsSent: 0 }], { engine, format, timezone: TIMEZONE, now: NOW, mention });
}

/**
 * The interactive card of an app receiver (README "Acting from WeCom cards") in each of its states:
 * as sent, acknowledged, silenced, and with a failed silence. Content is the real `card` rendering
 * of a fixture; the states are what card-actions.ts sends with message/update_template_card.
 */
async function cardStates(engine, index) {
  const format = messageFormat('robot', 'template_card');
  const [message] = render('alertmanager-firing.json', format, engine);
  const parsed = findSource('alertmanager').parse(JSON.parse(readFileSync(join(FIXTURES, 'alertmanager-firing.json'), 'utf8')), new Date(NOW));
  const alerts = parsed.alerts.map((a) => ({ fingerprint: a.fingerprint, name: a.name, source: a.source, severity: a.severity, labels: a.labels, startsAt: a.startsAt, summary: a.summary, externalURL: parsed.externalURL }));
  const content = { title: message.title, text: message.content, url: message.url ?? 'https://work.weixin.qq.com', source: 'Alertmanager' };
  const options = { silenceDurations: [3_600_000, 14_400_000, 86_400_000], timezone: TIMEZONE };
  const at = NOW + 5 * 60_000;
  const states = [
    { label: '发出时 · as sent', card: buttonCard('wa_demo', content, alerts, options) },
    { label: '张三 认领后 · acknowledged', card: buttonCard('wa_demo', content, alerts, options, { ack: { user: '张三', at } }) },
    { label: '静默 1h 后 · silenced', card: buttonCard('wa_demo', content, alerts, options, { ack: { user: '张三', at }, silence: { user: '张三', at, until: at + 3_600_000, ids: ['a3f1c2d4'], url: `${parsed.externalURL}/#/silences/a3f1c2d4` } }) },
    { label: '静默失败 · silence failed', card: buttonCard('wa_demo', content, alerts, options, { error: '静默失败：Alertmanager 不可达（connect ECONNREFUSED）' }) },
  ];
  await index.tab.setContent(cardsPage('应用卡片 · 认领 / 静默', states), { waitUntil: 'load' });
  await index.tab.screenshot({ path: join(OUT, 'card-states.png'), fullPage: true });
  index.push('| alertmanager-firing | app template_card states | 4 | ![card-states](card-states.png) |');
  console.log('docs/messages/card-states.png (4 card states)');
}

async function main() {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install -y --no-install-recommends chromium fonts-noto-cjk`);
  mkdirSync(OUT, { recursive: true });
  const engine = TemplateEngine.load();
  const only = process.env.GALLERY_ONLY;
  const fixtures = readdirSync(FIXTURES).filter((file) => file.endsWith('.json') && (!only || file.includes(only))).sort();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  const tab = await browser.newPage({ viewport: { width: 375, height: 640 }, deviceScaleFactor: 2 });
  const index = [];
  index.tab = tab;
  try {
    for (const fixture of fixtures) {
      const base = fixture.replace(/\.json$/, '');
      for (const [formatName, format] of Object.entries(FORMATS)) {
        if (formatName !== 'markdown' && !ALL_FORMATS.includes(base)) continue;
        const messages = render(fixture, format, engine);
        if (messages.length === 0) continue;
        const file = `${base}.${formatName}`;
        const html = page(base, `${formatName} · ${messages.length} 条消息 · 2025-03-18 12:00 (Asia/Shanghai)`, messages, format);
        await tab.setContent(html, { waitUntil: 'load' });
        await tab.screenshot({ path: join(OUT, `${file}.png`), fullPage: true });
        index.push(`| ${base} | ${formatName} | ${messages.length} | ![${file}](${file}.png) |`);
        console.log(`docs/messages/${file}.png (${messages.length} message${messages.length > 1 ? 's' : ''})`);
      }
    }
    if (!only || 'card-states'.includes(only)) await cardStates(engine, index);
  } finally {
    await browser.close();
  }
  if (!only) {
    writeFileSync(
      join(OUT, 'README.md'),
      `# Message gallery\n\nEvery payload fixture rendered with the built-in templates, as a 375-px phone shows it (\`npm run gallery\` writes these; the golden tests in \`test/golden/\` pin the text).\n\n| fixture | format | messages | picture |\n|---|---|---|---|\n${index.join('\n')}\n`,
    );
  }
}

main().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
