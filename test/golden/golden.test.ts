import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TemplateEngine } from '../../src/render/engine';
import { messageFormat, type MessageFormat } from '../../src/render/format';
import { pack, type PackedMessage } from '../../src/render/packer';
import { byteLength } from '../../src/render/bytes';
import { findSource, SOURCES } from '../../src/sources/registry';
import { packageRoot } from '../../src/package-root';
import { FIXED_NOW, FIXTURES_DIR, loadFixture, notificationOf } from '../support/fixtures';

/**
 * Golden tests: every payload fixture rendered with the built-in templates, per variant, exactly as
 * it would be sent (Asia/Shanghai, fixed clock). Run `UPDATE_GOLDEN=1 npx jest test/golden` to
 * rewrite the files after an intended template change, then read the diff.
 */
const GOLDEN_DIR = __dirname;
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const TIMEZONE = 'Asia/Shanghai';

interface Variant {
  name: string;
  extension: 'md' | 'txt';
  format: MessageFormat;
  /** Only where the template file exists (app textcard). */
  needsTemplate?: 'textcard';
}

const VARIANTS: Variant[] = [
  { name: 'markdown', extension: 'md', format: messageFormat('robot', 'markdown') },
  { name: 'text', extension: 'txt', format: messageFormat('robot', 'text') },
  { name: 'textcard', extension: 'txt', format: messageFormat('app', 'textcard'), needsTemplate: 'textcard' },
];

/** sourceFor picks the source by file-name prefix: alertmanager* and real-alertmanager*, grafana*, kibana*. */
function sourceFor(fixture: string): string {
  const name = fixture.replace(/^real-/, '').split('-')[0];
  if (!findSource(name)) throw new Error(`no source for fixture ${fixture} (known: ${Object.keys(SOURCES).join(', ')})`);
  return name;
}

/** describeMessages joins the messages with a visible separator carrying byte counts against the limit. */
function describeMessages(messages: PackedMessage[], format: MessageFormat): string {
  return messages
    .map((message, index) => {
      const limit = message.companion ? 2048 : format.limit;
      const header = `===== message ${index + 1}/${messages.length} · msgtype ${message.msgtype} · ${message.bytes}/${limit} bytes · alerts: ${message.alertCount}${message.truncated ? ' · truncated' : ''} =====`;
      const lines = [header];
      if (message.title !== undefined) lines.push(`title (${byteLength(message.title)}/${format.titleLimit} bytes): ${message.title}`);
      if (format.titleLimit !== undefined) lines.push(`url: ${message.url ?? '(none)'}`, '-----');
      lines.push(message.content);
      return lines.join('\n');
    })
    .join('\n\n');
}

const engine = TemplateEngine.load();
const templatesDir = join(packageRoot(), 'templates');
const fixtures = readdirSync(FIXTURES_DIR)
  .filter((name) => name.endsWith('.json'))
  .sort();

const cases = fixtures.flatMap((fixture) => {
  const source = sourceFor(fixture);
  return VARIANTS.filter((variant) => !variant.needsTemplate || existsSync(join(templatesDir, `${source}.${variant.needsTemplate}.hbs`))).map(
    (variant) => ({ fixture, source, variant, golden: `${fixture.replace(/\.json$/, '')}.${variant.name}.${variant.extension}` }),
  );
});

function render(fixture: string, source: string, variant: Variant): string {
  const parsed = findSource(source)!.parse(loadFixture(fixture), new Date(FIXED_NOW));
  if (parsed.alerts.length === 0) return `(no messages${parsed.skipped ? `: ${parsed.skipped}` : ''})\n`;
  const messages = pack([{ id: fixture, notification: notificationOf(parsed, 'golden'), offset: 0, partsSent: 0 }], {
    engine,
    format: variant.format,
    timezone: TIMEZONE,
    now: FIXED_NOW,
  });
  return `${describeMessages(messages, variant.format)}\n`;
}

describe('golden messages', () => {
  it('covers every fixture with markdown and text, and textcard where the source has a textcard template', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(15);
    for (const fixture of fixtures) expect(cases.filter((c) => c.fixture === fixture).map((c) => c.variant.name)).toEqual(['markdown', 'text', 'textcard']);
  });

  it.each(cases.map((c) => [c.golden, c] as const))('%s', (golden, { fixture, source, variant }) => {
    const actual = render(fixture, source, variant);
    const path = join(GOLDEN_DIR, golden);
    if (UPDATE) {
      writeFileSync(path, actual);
      return;
    }
    if (!existsSync(path)) throw new Error(`missing golden file ${golden}: run UPDATE_GOLDEN=1 npx jest test/golden, then review it`);
    expect(actual).toBe(readFileSync(path, 'utf8'));
  });

  it('renders every message within its byte limit', () => {
    for (const { fixture, source, variant } of cases) {
      const parsed = findSource(source)!.parse(loadFixture(fixture), new Date(FIXED_NOW));
      const messages = pack([{ id: fixture, notification: notificationOf(parsed, 'golden'), offset: 0, partsSent: 0 }], { engine, format: variant.format, timezone: TIMEZONE, now: FIXED_NOW });
      for (const message of messages) {
        expect(message.bytes).toBeLessThanOrEqual(variant.format.limit);
        if (message.title !== undefined) expect(byteLength(message.title)).toBeLessThanOrEqual(variant.format.titleLimit!);
      }
    }
  });

  it('has no stale golden files', () => {
    if (UPDATE) return;
    const expected = new Set(cases.map((c) => c.golden));
    const stale = readdirSync(GOLDEN_DIR).filter((name) => /\.(md|txt)$/.test(name) && !expected.has(name));
    expect(stale).toEqual([]);
  });
});
