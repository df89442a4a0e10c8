import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TemplateEngine, TemplateLoadError } from '../../src/render/engine';

const DATA = { now: Date.parse('2025-03-18T04:00:00Z'), timezone: 'Asia/Shanghai' };

/** tree writes files (path → content) under a fresh temp directory and returns it. */
function tree(root: string, files: Record<string, string>): string {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

function loadError(run: () => unknown): string[] {
  try {
    run();
  } catch (err) {
    if (err instanceof TemplateLoadError) return err.problems;
    throw err;
  }
  throw new Error('expected a TemplateLoadError');
}

/** Built-in templates on disk (not partials): the override adds none. */
const BUILTIN_TEMPLATE_COUNT = readdirSync(join(__dirname, '../../templates')).filter((file) => file.endsWith('.hbs')).length;

describe('TemplateEngine', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'wecom-engine-'));
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('loads the built-in templates', () => {
    const engine = TemplateEngine.load();
    expect(engine.names()).toEqual([
      'alertmanager.card.hbs',
      'alertmanager.md.hbs',
      'alertmanager.news.hbs',
      'alertmanager.text.hbs',
      'alertmanager.textcard.hbs',
      'digest.card.hbs',
      'digest.md.hbs',
      'digest.news.hbs',
      'digest.text.hbs',
      'digest.textcard.hbs',
      'grafana.card.hbs',
      'grafana.md.hbs',
      'grafana.news.hbs',
      'grafana.text.hbs',
      'grafana.textcard.hbs',
      'kibana.card.hbs',
      'kibana.md.hbs',
      'kibana.news.hbs',
      'kibana.text.hbs',
      'kibana.textcard.hbs',
      'message.md.hbs',
      'message.text.hbs',
    ]);
  });

  it('lets a user directory override a built-in by file name and add new templates', () => {
    const builtinDir = tree(join(tmp, 'builtin'), { 'alerts.md.hbs': 'builtin {{x}}', 'alerts.text.hbs': 'builtin text {{x}}' });
    const userDir = tree(join(tmp, 'user'), { 'alerts.md.hbs': 'user {{x}}', 'dba.md.hbs': 'dba {{x}}' });
    const engine = TemplateEngine.load({ builtinDir, userDir });
    expect(engine.render('alerts', 'md', { x: 1 }, DATA)).toBe('user 1');
    expect(engine.render('alerts', 'text', { x: 1 }, DATA)).toBe('builtin text 1');
    expect(engine.render('dba', 'md', { x: 1 }, DATA)).toBe('dba 1');
    expect(engine.origins.get('alerts.md.hbs')).toBe(join(userDir, 'alerts.md.hbs'));
    expect(engine.origins.get('alerts.text.hbs')).toBe(join(builtinDir, 'alerts.text.hbs'));
  });

  it('overrides the real built-in alertmanager.md.hbs from a user directory', () => {
    const userDir = tree(tmp, { 'alertmanager.md.hbs': 'mine: {{alerts.length}}' });
    const engine = TemplateEngine.load({ userDir });
    expect(engine.render('alertmanager', 'md', { alerts: [1, 2] }, DATA)).toBe('mine: 2');
    expect(engine.names()).toHaveLength(BUILTIN_TEMPLATE_COUNT);
  });

  it('registers partials by file name, and a user partial overrides a built-in one', () => {
    const builtinDir = tree(join(tmp, 'builtin'), {
      '_partials/line.hbs': '- {{name}}',
      '_partials/footer.hbs': '(builtin footer)',
      'list.md.hbs': '{{#each items}}{{> line}}\n{{/each}}{{> footer}}',
    });
    const userDir = tree(join(tmp, 'user'), { '_partials/footer.hbs': '(user footer {{@root.total}})' });
    expect(TemplateEngine.load({ builtinDir }).render('list', 'md', { items: [{ name: 'a' }, { name: 'b' }], total: 2 }, DATA)).toBe('- a\n- b\n(builtin footer)');
    expect(TemplateEngine.load({ builtinDir, userDir }).render('list', 'md', { items: [{ name: 'a' }], total: 1 }, DATA)).toBe('- a\n(user footer 1)');
  });

  it('passes partial hash arguments', () => {
    const builtinDir = tree(tmp, { '_partials/h.hbs': '## {{title}}', 'x.md.hbs': '{{> h title=(default t "fallback")}}' });
    const engine = TemplateEngine.load({ builtinDir });
    expect([engine.render('x', 'md', { t: 'T' }, DATA), engine.render('x', 'md', {}, DATA)]).toEqual(['## T', '## fallback']);
  });

  it.each<[string, string | undefined]>([
    ['md', 'base.md.hbs'],
    ['text', 'base.text.hbs'],
    ['textcard', 'base.text.hbs'],
    ['news', 'base.news.hbs'],
    ['card', 'base.text.hbs'],
  ])('resolves variant %s to %s (textcard and card fall back to text)', (variant, file) => {
    const builtinDir = tree(tmp, { 'base.md.hbs': 'md', 'base.text.hbs': 'text', 'base.news.hbs': 'news' });
    const engine = TemplateEngine.load({ builtinDir });
    expect(engine.resolve('base', variant as 'md')).toBe(file);
  });

  it('renders the fallback and throws for a base without the variant', () => {
    const builtinDir = tree(tmp, { 'only.text.hbs': 'plain {{x}}' });
    const engine = TemplateEngine.load({ builtinDir });
    expect(engine.render('only', 'textcard', { x: 'y' }, DATA)).toBe('plain y');
    expect(engine.resolve('only', 'md')).toBeUndefined();
    expect(() => engine.render('only', 'md', {}, DATA)).toThrow('no template "only.md.hbs"');
    expect(() => engine.render('nope', 'text', {}, DATA)).toThrow('no template "nope.text.hbs"');
  });

  it('ignores files that are not .hbs and reports badly named templates', () => {
    const builtinDir = tree(tmp, { 'README.md': 'docs', 'ok.md.hbs': 'ok', 'alerts.hbs': 'x', 'alerts.html.hbs': 'x', 'with space.md.hbs': 'x' });
    expect(loadError(() => TemplateEngine.load({ builtinDir })).sort()).toEqual(
      [
        `${join(builtinDir, 'alerts.hbs')}: template files are named <base>.<md|text|textcard|news|card>.hbs`,
        `${join(builtinDir, 'alerts.html.hbs')}: template files are named <base>.<md|text|textcard|news|card>.hbs`,
        `${join(builtinDir, 'with space.md.hbs')}: template files are named <base>.<md|text|textcard|news|card>.hbs`,
      ].sort(),
    );
  });

  it('fails at load, naming the file, for a syntax error, an unknown helper, or an unknown helper in a partial', () => {
    const builtinDir = tree(tmp, {
      'a.md.hbs': '{{#if x}}open',
      'b.md.hbs': '{{shout x}}',
      'c.md.hbs': '{{#each list}}{{/if}}',
      '_partials/p.hbs': '{{nosuchhelper y}}',
      'fine.md.hbs': 'fine',
    });
    const problems = loadError(() => TemplateEngine.load({ builtinDir }));
    expect(problems).toHaveLength(4);
    expect(problems.find((line) => line.startsWith(join(builtinDir, 'a.md.hbs')))).toMatch(/: Parse error on line 1/);
    expect(problems.find((line) => line.startsWith(join(builtinDir, 'b.md.hbs')))).toBe(
      `${join(builtinDir, 'b.md.hbs')}: You specified knownHelpersOnly, but used the unknown helper shout - 1:0`,
    );
    expect(problems.find((line) => line.startsWith(join(builtinDir, 'c.md.hbs')))).toBe(`${join(builtinDir, 'c.md.hbs')}: each doesn't match if - 1:3`);
    expect(problems.find((line) => line.startsWith(join(builtinDir, '_partials/p.hbs')))).toBe(
      `${join(builtinDir, '_partials/p.hbs')}: You specified knownHelpersOnly, but used the unknown helper nosuchhelper - 1:0`,
    );
  });

  it('reports a templates directory that does not exist', () => {
    const missing = join(tmp, 'missing');
    expect(loadError(() => TemplateEngine.load({ userDir: missing }))).toEqual([`templates: directory ${missing} does not exist`]);
  });

  it('does not HTML-escape values (markdown output) and keeps instances isolated', () => {
    const builtinDir = tree(tmp, { 'x.md.hbs': '{{v}}' });
    const engine = TemplateEngine.load({ builtinDir });
    expect(engine.render('x', 'md', { v: '<a> & "b"' }, DATA)).toBe('<a> & "b"');
    expect(TemplateEngine.load().resolve('x', 'md')).toBeUndefined();
  });
});
