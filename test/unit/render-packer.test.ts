import { TemplateEngine } from '../../src/render/engine';
import { messageFormat } from '../../src/render/format';
import { pack, type PackEntry } from '../../src/render/packer';
import { byteLength } from '../../src/render/bytes';
import { alertmanagerSource } from '../../src/sources/alertmanager';
import { FIXED_NOW, loadFixture, notificationOf } from '../support/fixtures';
import type { Alert } from '../../src/model/alert';

const engine = TemplateEngine.load();
const robotMarkdown = messageFormat('robot', 'markdown');
const base = { engine, timezone: 'Asia/Shanghai', now: FIXED_NOW };

function entry(id: string, alerts: Alert[], offset = 0): PackEntry {
  const parsed = alertmanagerSource.parse(loadFixture('alertmanager-firing.json'), new Date(FIXED_NOW));
  return { id, notification: { ...notificationOf(parsed), alerts }, offset, partsSent: 0 };
}

function manyAlerts(count: number, extra = ''): Alert[] {
  return Array.from({ length: count }, (_, i) => ({
    source: 'alertmanager' as const,
    status: i % 3 === 0 ? ('resolved' as const) : ('firing' as const),
    name: `磁盘空间不足-${i}`,
    severity: 'critical',
    summary: `主机 web-${i} 的 /data 分区使用率超过 90%${extra}`,
    description: `请尽快清理 web-${i} 上的日志文件`,
    labels: { alertname: 'DiskFull', instance: `web-${i}` },
    annotations: {},
    startsAt: '2025-03-18T02:00:00Z',
    endsAt: i % 3 === 0 ? '2025-03-18T03:00:00Z' : undefined,
    fingerprint: `fp-${i}`,
    links: { source: `http://prom.example.cn/graph?g0.expr=x&i=${i}` },
  }));
}

describe('pack', () => {
  it('keeps a small notification as one message without a part label', () => {
    const messages = pack([entry('a', manyAlerts(2))], { ...base, format: robotMarkdown });
    expect(messages).toHaveLength(1);
    expect(messages[0].content).not.toMatch(/\(1\/1\)/);
    expect(messages[0].alertCount).toBe(2);
  });

  it('splits a large notification on alert boundaries into numbered parts under 4096 bytes', () => {
    const alerts = manyAlerts(120);
    const messages = pack([entry('a', alerts)], { ...base, format: robotMarkdown });
    expect(messages.length).toBeGreaterThan(1);
    messages.forEach((message, i) => {
      expect(byteLength(message.content)).toBeLessThanOrEqual(4096);
      expect(message.content).toContain(`(${i + 1}/${messages.length})`);
    });
    const covered = messages.flatMap((message) => message.sections.flatMap((s) => alerts.slice(s.start, s.end).map((a) => a.fingerprint)));
    expect(covered).toEqual(alerts.map((alert) => alert.fingerprint));
    // dense: every part but the last uses most of the budget
    messages.slice(0, -1).forEach((message) => expect(message.bytes).toBeGreaterThan(3000));
  });

  it('coalesces several queued notifications into one dense message, order kept', () => {
    const entries = [entry('a', manyAlerts(2)), entry('b', manyAlerts(3)), entry('c', manyAlerts(1))];
    const messages = pack(entries, { ...base, format: robotMarkdown });
    expect(messages).toHaveLength(1);
    expect(messages[0].sections.map((s) => s.id)).toEqual(['a', 'b', 'c']);
    expect(messages[0].alertCount).toBe(6);
  });

  it('truncates a single alert larger than a message with a visible marker', () => {
    // A firing alert: a resolution is one short line and carries no summary.
    const huge = manyAlerts(2, '很长的摘要'.repeat(400)).slice(1);
    const messages = pack([entry('a', huge)], { ...base, format: robotMarkdown });
    expect(messages).toHaveLength(1);
    expect(messages[0].truncated).toBe(true);
    expect(byteLength(messages[0].content)).toBeLessThanOrEqual(4096);
    expect(messages[0].content).toContain('内容过长已截断');
  });

  it('resumes numbering after parts already sent', () => {
    const alerts = manyAlerts(120);
    const all = pack([entry('a', alerts)], { ...base, format: robotMarkdown });
    const firstEnd = all[0].sections[0].end;
    const rest = pack([{ ...entry('a', alerts, firstEnd), partsSent: 1 }], { ...base, format: robotMarkdown });
    expect(rest).toHaveLength(all.length - 1);
    expect(rest[0].content).toContain(`(2/${all.length})`);
  });

  it('stays within 2048 bytes for text', () => {
    const messages = pack([entry('a', manyAlerts(60))], { ...base, format: messageFormat('robot', 'text') });
    messages.forEach((message) => expect(byteLength(message.content)).toBeLessThanOrEqual(2048));
  });

  it('mentions a split notification once: inline <@user> and one companion text for mobiles, in part 1 only', () => {
    const mention = { users: ['zhangsan'], mobiles: ['13800001111'], all: false };
    const messages = pack([entry('a', manyAlerts(120))], { ...base, format: robotMarkdown, mention });
    const real = messages.filter((m) => !m.companion);
    expect(real.length).toBeGreaterThan(1);
    real.forEach((message) => expect(message.bytes).toBeLessThanOrEqual(4096));
    expect(real[0].content).toMatch(/<@zhangsan>$/);
    real.slice(1).forEach((message) => expect(message.content).not.toContain('<@'));
    const companions = messages.filter((m) => m.companion);
    expect(companions).toHaveLength(1);
    expect(messages[1]).toBe(companions[0]);
    expect(companions[0]).toMatchObject({ msgtype: 'text', mention: { mobiles: ['13800001111'] } });
  });

  it('never mentions in a resolution-only message', () => {
    const mention = { users: ['zhangsan'], mobiles: ['13800001111'], all: false };
    const resolved = manyAlerts(7).filter((alert) => alert.status === 'resolved');
    const messages = pack([entry('a', resolved)], { ...base, format: robotMarkdown, mention });
    expect(messages.filter((m) => m.companion)).toHaveLength(0);
    messages.forEach((message) => expect(message.content).not.toContain('<@'));
  });
});
