#!/usr/bin/env node
'use strict';
/**
 * npm run gallery: renders every payload fixture's messages with the built-in templates, exactly as
 * they would be sent (fixed clock, Asia/Shanghai, like the golden tests), into a 375-px WeCom-like
 * chat screen, and screenshots each with Debian's Chromium into docs/messages/ (PNG + HTML). The
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

async function main() {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install -y --no-install-recommends chromium fonts-noto-cjk`);
  mkdirSync(OUT, { recursive: true });
  const engine = TemplateEngine.load();
  const only = process.env.GALLERY_ONLY;
  const fixtures = readdirSync(FIXTURES).filter((file) => file.endsWith('.json') && (!only || file.includes(only))).sort();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  const tab = await browser.newPage({ viewport: { width: 375, height: 640 }, deviceScaleFactor: 2 });
  const index = [];
  try {
    for (const fixture of fixtures) {
      const base = fixture.replace(/\.json$/, '');
      for (const [formatName, format] of Object.entries(FORMATS)) {
        if (formatName !== 'markdown' && !ALL_FORMATS.includes(base)) continue;
        const messages = render(fixture, format, engine);
        if (messages.length === 0) continue;
        const file = `${base}.${formatName}`;
        const html = page(base, `${formatName} · ${messages.length} 条消息 · 2025-03-18 12:00 (Asia/Shanghai)`, messages, format);
        writeFileSync(join(OUT, `${file}.html`), html);
        await tab.setContent(html, { waitUntil: 'load' });
        await tab.screenshot({ path: join(OUT, `${file}.png`), fullPage: true });
        index.push(`| ${base} | ${formatName} | ${messages.length} | ![${file}](${file}.png) |`);
        console.log(`docs/messages/${file}.png (${messages.length} message${messages.length > 1 ? 's' : ''})`);
      }
    }
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
