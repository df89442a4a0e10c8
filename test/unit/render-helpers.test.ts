import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TemplateEngine } from '../../src/render/engine';
import { templateHelpers } from '../../src/render/helpers';

const NOW = Date.parse('2025-03-18T04:00:00Z'); // 12:00 in Shanghai

/** Each case is one small template rendered through a real engine with a fixed clock. */
const CASES: [string, string, Record<string, unknown>, string][] = [
  ['date default format', '{{date t}}', { t: '2025-03-18T02:13:45Z' }, '2025-03-18 10:13:45'],
  ['date custom format', '{{date t "MM-DD HH:mm W"}}', { t: '2025-03-18T02:13:45Z' }, '03-18 10:13 周二'],
  ['date of nothing', '[{{date missing}}]', {}, '[]'],
  ['date without year gets it for another year', '{{date t "MM-DD HH:mm"}} / {{date u "MM-DD HH:mm"}}', { t: '2031-05-02T02:13:45Z', u: '2025-05-02T02:13:45Z' }, '2031-05-02 10:13 / 05-02 10:13'],
  ['when: today, this year, another year', '{{when a}} / {{when b}} / {{when c}}', { a: '2025-03-18T02:13:00Z', b: '2025-01-02T02:13:00Z', c: '2023-01-02T02:13:00Z' }, '10:13 / 01-02 10:13 / 2023-01-02 10:13'],
  ['localTimes rewrites UTC instants in text', '{{localTimes s}}', { s: 'Timestamp: 2025-03-18T03:02:11.904Z, again 2025-03-18T11:00:00+08:00.' }, 'Timestamp: 2025-03-18 11:02:11, again 2025-03-18 11:00:00.'],
  ['severityEmoji', '{{severityEmoji "critical"}}{{severityEmoji "warning"}}{{severityEmoji "info"}}{{severityEmoji "x"}}', {}, '🔴🟠🔵⚪'],
  ['clip lines', '{{#each (clip l 2 100)}}[{{this}}]{{/each}}', { l: ['a', 'b', 'c'] }, '[a][b][…（另有 1 行）]'],
  ['date of epoch ms', '{{date t "HH:mm"}}', { t: NOW }, '12:00'],
  ['since', '{{since t}}', { t: '2025-03-18T00:47:48Z' }, '3h12m'],
  ['since in the future (clock skew) is omitted', '[{{since t}}]', { t: '2026-01-01T00:00:00Z' }, '[]'],
  ['since under a second is omitted', '[{{since t}}]', { t: '2025-03-18T03:59:59.500Z' }, '[]'],
  ['stateReason in words', '{{stateReason "MissingSeries"}} / {{stateReason "RuleDeleted"}} / {{stateReason "Other"}}', {}, '数据缺失·MissingSeries / 规则已删除·RuleDeleted / Other'],
  ['since of nothing', '[{{since missing}}]', {}, '[]'],
  ['duration between two instants', '{{duration a b}}', { a: '2025-03-18T02:00:00Z', b: '2025-03-18T02:03:20Z' }, '3m20s'],
  ['duration up to now', '{{duration a}}', { a: '2025-03-17T00:00:00Z' }, '1d4h'],
  ['duration with an empty end is up to now', '{{duration a b}}', { a: '2025-03-18T03:59:15Z', b: '' }, '45s'],
  ['duration of nothing', '[{{duration missing}}]', {}, '[]'],
  ['severityColor', '{{severityColor "critical"}} {{severityColor "warning"}} {{severityColor "info"}} {{severityColor x}}', {}, 'warning warning comment comment'],
  ['severityLabel', '{{severityLabel "critical"}}/{{severityLabel "warn"}}/{{severityLabel "info"}}/{{severityLabel ""}}/{{severityLabel "P9"}}', {}, '严重/警告/提示/未定级/P9'],
  ['truncate within limit', '{{truncate s 100}}', { s: '磁盘空间不足' }, '磁盘空间不足'],
  ['truncate in bytes', '{{truncate s 10}}', { s: '磁盘空间不足' }, '磁盘…'],
  ['truncate says what was cut from 120 bytes', '{{truncate s 130}}', { s: '满'.repeat(100) }, `${'满'.repeat(33)}…（已截断 201 字节）`],
  ['truncate of nothing', '[{{truncate missing 10}}]', {}, '[]'],
  ['labelsText excludes and sorts', '{{labelsText l "alertname" "severity"}}', { l: { severity: 'critical', team: 'dba', alertname: 'X', env: 'prod' } }, 'env=prod, team=dba'],
  ['labelsText of nothing', '[{{labelsText missing}}]', {}, '[]'],
  ['join with separator', '{{join l " | "}}', { l: ['a', 'b', 'c'] }, 'a | b | c'],
  ['join default separator', '{{join l}}', { l: ['a', 'b'] }, 'a, b'],
  ['join of a non-list', '[{{join s}}]', { s: 'x' }, '[]'],
  ['eq / ne', '{{#if (eq s "firing")}}F{{/if}}{{#if (ne s "resolved")}}N{{/if}}', { s: 'firing' }, 'FN'],
  ['gt / lt compare numbers', '{{#if (gt n 9)}}G{{/if}}{{#if (lt n "10")}}L{{/if}}', { n: '10' }, 'G'],
  ['and / or / not', '{{#if (and a b)}}A{{/if}}{{#if (or a c)}}O{{/if}}{{#if (not c)}}N{{/if}}', { a: 1, b: 'x', c: '' }, 'AON'],
  ['default', '{{default a "—"}}|{{default b "—"}}|{{default c "—"}}', { a: '', b: 0, c: 'v' }, '—|0|v'],
  ['len', '{{len l}} {{len s}} {{len n}}', { l: [1, 2, 3], s: '中文', n: 5 }, '3 2 0'],
  ['add', '{{add n 1}}', { n: '41' }, '42'],
  ['upper / lower', '{{upper s}} {{lower s}}', { s: 'Prod-SH' }, 'PROD-SH prod-sh'],
  ['no HTML escaping (markdown, not HTML)', '{{s}}', { s: '<font color="info">&"\'</font>' }, '<font color="info">&"\'</font>'],
];

describe('template helpers through TemplateEngine', () => {
  let dir: string;
  let engine: TemplateEngine;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'wecom-helpers-'));
    CASES.forEach(([, source], index) => writeFileSync(join(dir, `case${index}.md.hbs`), source));
    engine = TemplateEngine.load({ builtinDir: dir });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(CASES.map((row, index) => [...row, index] as const))('%s: %s', (_name, _source, context, expected, index) => {
    expect(engine.render(`case${index}`, 'md', context, { now: NOW, timezone: 'Asia/Shanghai' })).toBe(expected);
  });

  it('formats dates in the time zone passed at render time', () => {
    const render = (timezone: string) => engine.render('case0', 'md', { t: '2025-03-18T02:13:45Z' }, { now: NOW, timezone });
    expect([render('Asia/Shanghai'), render('UTC'), render('America/New_York')]).toEqual(['2025-03-18 10:13:45', '2025-03-18 02:13:45', '2025-03-17 22:13:45']);
  });

  it('registers exactly the documented helpers', () => {
    expect(Object.keys(templateHelpers).sort()).toEqual(
      ['add', 'and', 'date', 'default', 'duration', 'eq', 'gt', 'join', 'labelsText', 'len', 'lower', 'lt', 'ne', 'not', 'or', 'severityColor', 'severityEmoji', 'severityLabel', 'since', 'clip', 'when', 'localTimes', 'stateReason', 'truncate', 'upper'].sort(),
    );
  });
});
