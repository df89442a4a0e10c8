import { TemplateEngine } from '../../src/render/engine';
import { messageFormat } from '../../src/render/format';
import { pack, type PackedMessage } from '../../src/render/packer';
import { byteLength } from '../../src/render/bytes';
import { findSource } from '../../src/sources/registry';
import { FIXED_NOW, loadFixture, notificationOf } from '../support/fixtures';

/**
 * The rules of issue 15 ("Messages an on-call engineer understands in two seconds"), checked on the
 * real fixtures with the built-in templates: header names where and how bad, severities look different
 * beyond the word, order across parts, one mention per storm, quiet resolutions.
 */
const engine = TemplateEngine.load();
const markdown = messageFormat('robot', 'markdown');
const base = { engine, timezone: 'Asia/Shanghai', now: FIXED_NOW };

function messagesOf(fixture: string, source: string, mention?: { users: string[]; mobiles: string[]; all: boolean }): PackedMessage[] {
  const parsed = findSource(source)!.parse(loadFixture(fixture), new Date(FIXED_NOW));
  return pack([{ id: fixture, notification: notificationOf(parsed), offset: 0, partsSent: 0 }], { ...base, format: markdown, mention });
}

const real = (messages: PackedMessage[]) => messages.filter((message) => !message.companion);

describe('message layout rules (issue 15)', () => {
  const storm = real(messagesOf('alertmanager-storm-200.json', 'alertmanager'));

  it('200-alert storm: a few dense messages whose first lines name the cluster and count by severity', () => {
    expect(storm.length).toBeLessThanOrEqual(3);
    for (const [index, message] of storm.entries()) {
      const [title, where, counts] = message.content.split('\n');
      expect(title).toContain(`(${index + 1}/${storm.length})`);
      expect(where).toContain('prod-bj');
      expect(counts).toContain('🔴 严重 30 · 🟠 警告 120 · ✅ 恢复 50');
    }
    expect(storm.reduce((sum, message) => sum + message.alertCount, 0)).toBe(200);
  });

  it('storm: one short line per alert, name and summary said once per group', () => {
    const lines = storm.flatMap((message) => message.content.split('\n')).filter((line) => line.startsWith('node-'));
    expect(lines).toHaveLength(200);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(40);
    expect(storm.map((m) => m.content).join('\n').match(/节点失联/g)).toHaveLength(1);
  });

  it('critical lines differ from warning lines beyond the word (emoji, weight), and come first across parts', () => {
    const badges = storm.flatMap((message) => message.content.split('\n')).filter((line) => /^(🔴|🟠|✅) <font/.test(line));
    expect(badges[0]).toMatch(/^🔴 <font color="warning">\*\*严重\*\*<\/font>/);
    const warning = badges.find((line) => line.startsWith('🟠'))!;
    expect(warning).toMatch(/^🟠 <font color="warning">警告<\/font>/);
    const order = badges.map((line) => ['🔴', '🟠', '✅'].indexOf(Array.from(line)[0]));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('mentions a storm once: <@user> in part 1 only and one companion text', () => {
    const messages = messagesOf('alertmanager-storm-200.json', 'alertmanager', { users: ['zhangsan'], mobiles: ['13800001111'], all: false });
    expect(messages.filter((m) => m.content.includes('<@zhangsan>'))).toHaveLength(1);
    expect(messages.filter((m) => m.companion)).toHaveLength(1);
  });

  it('Grafana storm and a 3-alert group: header names the cluster and the critical count', () => {
    const [grafana] = real(messagesOf('grafana-unified-storm.json', 'grafana'));
    expect(grafana.content.split('\n').slice(0, 3).join('\n')).toMatch(/prod-sh[\s\S]*🔴 严重 6 · 🟠 警告 18/);
    const [group] = real(messagesOf('alertmanager-firing.json', 'alertmanager'));
    expect(group.content.split('\n').slice(0, 3).join('\n')).toMatch(/prod-sh[\s\S]*🔴 严重 2/);
    const [truncated] = real(messagesOf('grafana-unified-truncated.json', 'grafana'));
    expect(truncated.alertCount).toBe(3);
    expect(truncated.content).toContain('另有 17 条告警未列出');
  });

  it('a resolution is at most 60 % of its firing twin and carries no description, runbook or call to action', () => {
    const [firing] = real(messagesOf('alertmanager-firing.json', 'alertmanager'));
    const [resolved] = real(messagesOf('alertmanager-resolved.json', 'alertmanager', { users: ['zhangsan'], mobiles: [], all: true }));
    expect(byteLength(resolved.content)).toBeLessThanOrEqual(0.6 * byteLength(firing.content));
    expect(resolved.content).not.toMatch(/当前连接数|处理手册|尽快处理|<@/);
    expect(resolved.content).toMatch(/持续 17m30s · 10:31 结束/);
  });

  it('a single alert names itself once', () => {
    const [message] = real(messagesOf('kibana-watcher-recommended.json', 'kibana'));
    expect(message.content.match(/MySQL 错误日志激增/g)).toHaveLength(1);
  });

  it('Grafana No Data / Error say so in words with the error text', () => {
    const [error] = real(messagesOf('grafana-unified-error.json', 'grafana'));
    expect(error.content).toMatch(/^## ⚠️ <font color="warning">\*\*查询错误\*\*<\/font> MySQL连接数过高/);
    expect(error.content).toContain('connection refused');
    const [nodata] = real(messagesOf('grafana-unified-nodata.json', 'grafana'));
    expect(nodata.content).toContain('无数据 No data');
  });
});
