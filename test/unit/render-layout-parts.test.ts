import type { Alert } from '../../src/model/alert';
import type { AlertNotification } from '../../src/model/notification';
import { orderAlerts } from '../../src/render/alert-order';
import { countMarks, countsText, markOf } from '../../src/render/alert-mark';
import { domainSuffix, summarize } from '../../src/render/notification-summary';
import { readableValue } from '../../src/render/readable-value';
import { clipLines, truncateForTemplate } from '../../src/render/helpers';
import { cutMarker, truncateBytesSaying, byteLength } from '../../src/render/bytes';
import { formatWhen } from '../../src/render/time-format';
import { createSeverityScheme, DEFAULT_SEVERITY_SCHEME, severityStyle } from '../../src/render/severity';
import { DEFAULT_MESSAGE_STYLE } from '../../src/render/message-style';
import { PlanCache } from '../../src/render/plan-cache';
import { TemplateEngine } from '../../src/render/engine';
import { messageFormat } from '../../src/render/format';
import { pack } from '../../src/render/packer';
import { messageStyleOf } from '../../src/render/message-style';
import { messagesSchema } from '../../src/config/messages-schema';

/** Unit tests of the message-layout pieces (README "Message layout"). */
function alert(over: Partial<Alert> & { name: string }): Alert {
  return { source: 'alertmanager', status: 'firing', severity: '', summary: '', description: '', labels: { alertname: over.name }, annotations: {}, startsAt: '2025-03-18T02:00:00Z', fingerprint: over.name, links: {}, ...over };
}

function notification(alerts: Alert[], over: Partial<AlertNotification> = {}): AlertNotification {
  return { kind: 'alerts', source: 'alertmanager', receiver: 'r', template: 'alertmanager', alerts, groupLabels: {}, commonLabels: {}, commonAnnotations: {}, truncatedAlerts: 0, ...over };
}

describe('orderAlerts', () => {
  it('puts firing before resolved, most severe first, one name together, payload order otherwise', () => {
    const input = [
      alert({ name: 'A', status: 'resolved', fingerprint: 'r1' }),
      alert({ name: 'B', severity: 'warning', fingerprint: 'w1' }),
      alert({ name: 'A', severity: 'critical', fingerprint: 'c1' }),
      alert({ name: 'C', severity: 'warning', fingerprint: 'w2' }),
      alert({ name: 'B', severity: 'warning', fingerprint: 'w3' }),
      alert({ name: 'D', severity: 'info', fingerprint: 'i1' }),
      alert({ name: 'A', severity: 'critical', fingerprint: 'c2' }),
    ];
    expect(orderAlerts(input, DEFAULT_SEVERITY_SCHEME).map((a) => a.fingerprint)).toEqual(['c1', 'c2', 'w1', 'w3', 'w2', 'i1', 'r1']);
  });

  it('reads the severity from the configured labels when the alert has none', () => {
    const input = [alert({ name: 'x', labels: { level: 'P3' }, fingerprint: 'p3' }), alert({ name: 'y', labels: { level: 'P1' }, fingerprint: 'p1' })];
    expect(orderAlerts(input, DEFAULT_SEVERITY_SCHEME).map((a) => a.fingerprint)).toEqual(['p1', 'p3']);
  });
});

describe('severity scheme and badges', () => {
  it('maps common vocabularies and keeps unknown words', () => {
    expect(['critical', 'P0', '严重', 'warning', 'P2', '警告', 'info', 'low', '提示'].map((v) => severityStyle(DEFAULT_SEVERITY_SCHEME, v).key)).toEqual([
      'critical', 'critical', 'critical', 'warning', 'warning', 'warning', 'info', 'info', 'info',
    ]);
    expect(severityStyle(DEFAULT_SEVERITY_SCHEME, 'S9')).toMatchObject({ key: 'unknown', label: 'S9', emoji: '⚪' });
  });

  it('tells critical, warning and info apart by emoji, weight and colour, not only the word', () => {
    const [critical, warning, info] = ['critical', 'warning', 'info'].map((v) => severityStyle(DEFAULT_SEVERITY_SCHEME, v));
    expect(new Set([critical.emoji, warning.emoji, info.emoji]).size).toBe(3);
    expect(critical.bold && !warning.bold).toBe(true);
    expect(info.color).not.toBe(warning.color);
  });

  it('follows a configured scheme', () => {
    const scheme = createSeverityScheme({ labels: ['priority'], levels: [{ key: 'p1', values: ['P1'], label: '一级', emoji: '🚨', color: 'warning', bold: true }] });
    expect(markOf(alert({ name: 'x', labels: { priority: 'p1' } }), scheme)).toMatchObject({ key: 'p1', label: '一级', emoji: '🚨' });
  });

  it('marks Grafana problems and non-recovery endings, and counts per badge in rank order', () => {
    const marks = [
      alert({ name: 'a', status: 'resolved' }),
      alert({ name: 'b', problem: 'nodata' }),
      alert({ name: 'c', severity: 'critical' }),
      alert({ name: 'd', status: 'resolved', resolvedReason: 'RuleDeleted' }),
      alert({ name: 'e', problem: 'error', errorText: 'connection refused' }),
    ].map((a) => markOf(a, DEFAULT_SEVERITY_SCHEME));
    expect(marks.map((m) => m.key)).toEqual(['resolved', 'nodata', 'critical', 'ended', 'error']);
    expect(countsText(countMarks(marks))).toBe('🔴 严重 1 · ⚠️ 查询错误 1 · ⚠️ 无数据 1 · ⚪ 已结束 1 · ✅ 恢复 1');
  });
});

describe('summarize (the header)', () => {
  it('says where: group labels, shared where-labels, the shared instance; and what differs', () => {
    const alerts = ['web-01', 'web-02'].map((host) => alert({ name: 'DiskFull', labels: { alertname: 'DiskFull', cluster: 'prod-bj', team: 'sre', instance: host, device: '/dev/sda' } }));
    const summary = summarize(notification(alerts, { groupLabels: { alertname: 'DiskFull', cluster: 'prod-bj' } }), DEFAULT_MESSAGE_STYLE, 'markdown');
    expect(summary).toMatchObject({ title: 'DiskFull', whereText: 'prod-bj · sre · /dev/sda', differing: ['instance'], names: ['DiskFull'] });
  });

  it('titles several names as "X 等 N 种", and uses the sender title a source kept', () => {
    const alerts = [alert({ name: 'A', labels: { cluster: 'c1' } }), alert({ name: 'B', labels: { cluster: 'c1' } })];
    expect(summarize(notification(alerts), DEFAULT_MESSAGE_STYLE, 'markdown').title).toBe('A 等 2 种');
    const custom = notification(alerts.map((a) => ({ ...a })), { senderTitle: '交易链路告警', commonLabels: { cluster: 'c1' } });
    expect(summarize(custom, DEFAULT_MESSAGE_STYLE, 'markdown').title).toBe('交易链路告警');
  });

  it('factors a shared domain suffix out of instances', () => {
    expect(domainSuffix(['web-01.prod.example.cn:9100', 'app-02.prod.example.cn:9100'])).toBe('.prod.example.cn:9100');
    expect(domainSuffix(['web-01:9100', 'web-02:9100'])).toBeUndefined();
    expect(domainSuffix(['a.example.cn'])).toBeUndefined();
  });
});

describe('readable values', () => {
  it.each([
    ['B=92.3456, C=1', 'B=92.35'],
    ['B=0.012345, C=0', 'B=0.012'],
    ['A=1, B=0', 'A=1, B=0'],
    ['57', '57'],
    ['3.14159', '3.14'],
    ['host=512, host2=468', 'host=512, host2=468'],
    ['node-1:/data=93.7 …另有 3 个', 'node-1:/data=93.7 …另有 3 个'],
  ])('%s → %s', (input, expected) => expect(readableValue(input)).toBe(expected));
});

describe('cuts that say what was cut', () => {
  it('truncateBytesSaying names the bytes cut and fits the budget', () => {
    const text = '很长'.repeat(500);
    const cut = truncateBytesSaying(text, 300);
    expect(byteLength(cut)).toBeLessThanOrEqual(300);
    const kept = cut.slice(0, cut.indexOf('…'));
    expect(cut.endsWith(cutMarker(byteLength(text) - byteLength(kept)))).toBe(true);
    expect(truncateForTemplate('abcdef'.repeat(20), 40)).toMatch(/…$/);
  });

  it('clipLines bounds lines by count and length', () => {
    expect(clipLines(['a', 'b', 'c'], 2, 10)).toEqual(['a', 'b', '…（另有 1 行）']);
    expect(clipLines(['x'.repeat(500)], 5, 130)[0]).toMatch(/…（已截断 [\d,]+ 字节）$/);
  });
});

describe('dates', () => {
  const now = Date.parse('2025-03-18T04:00:00Z');
  it.each([
    ['2025-03-18T02:13:00Z', '10:13'],
    ['2025-03-17T02:13:00Z', '03-17 10:13'],
    ['2024-12-31T02:13:00Z', '2024-12-31 10:13'],
    ['2031-01-02T02:13:00Z', '2031-01-02 10:13'],
  ])('when %s → %s', (input, expected) => expect(formatWhen(input, 'Asia/Shanghai', now)).toBe(expected));
});

describe('PlanCache', () => {
  it('answers the remaining parts from any boundary of a stored plan, for the same key only', () => {
    const cache = new PlanCache();
    cache.store('job', 'k', { from: 10, ends: [20, 30, 40] });
    expect(cache.remaining('job', 'k', 10)).toBe(3);
    expect(cache.remaining('job', 'k', 30)).toBe(1);
    expect(cache.remaining('job', 'k', 25)).toBeUndefined();
    expect(cache.remaining('job', 'other', 10)).toBeUndefined();
    const first = { id: 1 };
    expect(cache.intern('job', first)).toBe(first);
    expect(cache.intern('job', { id: 2 })).toBe(first);
  });
});

describe('a configured message style reaches the templates', () => {
  it('renders the configured badge and where-labels', () => {
    const config = messagesSchema.parse({
      where_labels: ['region'],
      severity: { labels: ['level'], levels: [{ key: 'p1', values: ['P1'], label: '一级', emoji: '🚨', color: 'warning', bold: true }] },
    });
    const alerts = [alert({ name: 'Down', labels: { alertname: 'Down', level: 'P1', region: 'cn-north', instance: 'a' } }), alert({ name: 'Down', labels: { alertname: 'Down', level: 'P1', region: 'cn-north', instance: 'b' } })];
    const [message] = pack([{ id: 'n', notification: notification(alerts), offset: 0, partsSent: 0 }], {
      engine: TemplateEngine.load(),
      format: messageFormat('robot', 'markdown'),
      timezone: 'Asia/Shanghai',
      now: Date.parse('2025-03-18T04:00:00Z'),
      style: messageStyleOf(config),
    });
    expect(message.content.split('\n').slice(0, 3)).toEqual(['## 🚨 <font color="warning">**一级**</font> Down', '📍 cn-north', '🚨 一级 2']);
  });

  it('rejects a severity value claimed by two levels, naming the path', () => {
    const result = messagesSchema.safeParse({ severity: { levels: [
      { key: 'a', values: ['x'], label: 'A', color: 'warning' },
      { key: 'b', values: ['X'], label: 'B', color: 'info' },
    ] } });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]).toMatchObject({ path: ['severity', 'levels', 1, 'values'], message: '"X" already belongs to level "a"' });
  });
});
