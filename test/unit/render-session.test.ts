import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TemplateEngine } from '../../src/render/engine';
import { partSwitch } from '../../src/render/part-fields';
import { RenderSession } from '../../src/render/render-session';
import { partLabel, type MessageContext, type PartInfo } from '../../src/render/context';

/**
 * A RenderSession reuses a partial's output between renders of one context only when the partial
 * read no part field. Whatever a template does, a session render must equal a fresh render of a
 * context built for that part.
 */
const DATA = { now: Date.parse('2025-03-18T04:00:00Z'), timezone: 'Asia/Shanghai' };

function contextFor(part: PartInfo | null): MessageContext {
  return {
    kind: 'alerts',
    source: 'alertmanager',
    status: 'firing',
    receiver: 'r',
    alerts: [],
    firing: [],
    resolved: [],
    totalAlerts: 2,
    totals: { firing: 2, resolved: 0 },
    groupLabels: { team: 'ops' },
    commonLabels: {},
    commonAnnotations: {},
    truncatedAlerts: 0,
    part,
    partLabel: partLabel(part),
    compact: false,
    groups: [],
    firstPart: !part || part.index === 1,
    lastPart: !part || part.index === part.total,
    sourceName: 'Alertmanager',
  };
}

describe('RenderSession', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'wecom-session-'));
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  const PARTIALS: Record<string, string> = {
    plain: 'team {{groupLabels.team}} of {{totalAlerts}}',
    label: 'label [{{partLabel}}]',
    root: '{{#with groupLabels}}{{team}} {{@root.firstPart}}{{/with}}',
    viaLookup: '{{lookup this "lastPart"}}',
    viaEach: '{{#each this}}{{@key}}={{#if (eq @key "part")}}{{part.index}}{{/if}};{{/each}}',
    viaHelper: '{{len partLabel}}',
    nested: '<{{> label}}|{{> plain}}>',
    hashed: '{{x}}',
    // a section over a context value (Handlebars' blockHelperMissing hook)
    section: '{{#groupLabels}}{{team}}{{/groupLabels}}{{^firstPart}} not first{{/firstPart}}',
  };
  const TOP = Object.keys(PARTIALS)
    .filter((name) => name !== 'hashed')
    .map((name) => `{{> ${name}}}`)
    .concat(['{{> hashed x=partLabel}}', '{{#> plain}}block{{/plain}}', '{{#with this}}{{> label}}{{/with}}'])
    .join('\n');

  function engine(): TemplateEngine {
    const dir = join(tmp, 'user');
    for (const [name, source] of Object.entries(PARTIALS)) {
      mkdirSync(join(dir, '_partials'), { recursive: true });
      writeFileSync(join(dir, '_partials', `${name}.hbs`), source);
    }
    writeFileSync(join(dir, 'probe.md.hbs'), TOP);
    return TemplateEngine.load({ userDir: dir });
  }

  it('renders every part exactly as a fresh context would, whatever the partials read', () => {
    const templates = engine();
    const session = new RenderSession();
    const parts: (PartInfo | null)[] = [{ index: 999, total: 999 }, { index: 1, total: 1 }, { index: 2, total: 3 }, null, { index: 3, total: 3 }];
    const shared = partSwitch(contextFor(parts[0]), session);
    for (const part of parts) {
      shared.setPart(part);
      const reused = templates.render('probe', 'md', shared.context, DATA, session);
      const fresh = templates.render('probe', 'md', contextFor(part), DATA);
      expect(reused).toBe(fresh);
    }
  });

  it('reuses a partial that read no part field, and only that one', () => {
    const templates = engine();
    const session = new RenderSession();
    const shared = partSwitch(contextFor({ index: 999, total: 999 }), session);
    templates.render('probe', 'md', shared.context, DATA, session);
    const frame = session.frameFor(shared.context, () => ({}));
    expect(session.reused(frame, shared.context, 'plain')).toBe('team ops of 2');
    for (const name of ['label', 'root', 'viaLookup', 'viaEach', 'viaHelper', 'nested', 'hashed', 'section']) expect(session.reused(frame, shared.context, name)).toBeUndefined();
  });

  it('keeps the part fields enumerable and in their place', () => {
    const plain = contextFor({ index: 1, total: 2 });
    const shared = partSwitch(contextFor({ index: 1, total: 2 }), new RenderSession());
    expect(Object.keys(shared.context)).toEqual(Object.keys(plain));
    expect({ ...shared.context }).toEqual(plain);
  });
});
