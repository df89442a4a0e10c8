import { robotBody } from '../../src/channels/robot';
import { CARD_LIMITS } from '../../src/channels/robot-rich';
import { DEFAULT_CARD_URL } from '../../src/channels/app-body';
import type { Alert } from '../../src/model/alert';
import type { Notification, TextNotification } from '../../src/model/notification';
import { byteLength } from '../../src/render/bytes';
import { TemplateEngine } from '../../src/render/engine';
import { messageFormat } from '../../src/render/format';
import { pack, type PackedMessage } from '../../src/render/packer';
import { alertmanagerSource } from '../../src/sources/alertmanager';
import { grafanaSource } from '../../src/sources/grafana';
import { FIXED_NOW, loadFixture, notificationOf } from '../support/fixtures';

/**
 * Robot `news` and `template_card` (text_notice) bodies against the documented shapes
 * (wecom-api.md §1.2–1.3, developer.work.weixin.qq.com/document/path/91770) and byte limits, with
 * real templates and long Chinese text.
 */
const engine = TemplateEngine.load();
const TZ = 'Asia/Shanghai';

function packAs(msgtype: 'news' | 'template_card', notification: Notification): PackedMessage[] {
  return pack([{ id: 'n', notification, offset: 0, partsSent: 0 }], { engine, format: messageFormat('robot', msgtype), timezone: TZ, now: FIXED_NOW });
}

const LONG = '数据库主库连接数持续超过阈值，请立即检查慢查询与连接池配置，必要时扩容只读副本。'.repeat(12);

function chineseAlert(i: number, overrides: Partial<Alert> = {}): Alert {
  return {
    source: 'alertmanager',
    status: 'firing',
    name: `数据库连接数过高告警规则名称非常非常长的情况-${i}`,
    severity: 'critical',
    summary: LONG,
    description: `详情：${LONG}`,
    labels: { alertname: 'MySQLTooManyConnections', instance: `华东二区生产环境数据库主节点-第${i}号实例.example.cn:9104` },
    annotations: {},
    startsAt: '2025-03-18T02:13:00Z',
    fingerprint: `fp-${i}`,
    value: `连接数=${512 + i}（阈值 400），${'超限'.repeat(20)}`,
    links: { source: `https://prometheus.example.cn/graph?g0.expr=mysql&i=${i}`, silence: 'https://am.example.cn/#/silences/new', runbook: 'https://wiki.example.cn/runbook/mysql' },
    ...overrides,
  };
}

function alertsNotification(alerts: Alert[]): Notification {
  const parsed = alertmanagerSource.parse(loadFixture('alertmanager-firing.json'), new Date(FIXED_NOW));
  return { ...notificationOf(parsed), alerts, commonLabels: { alertname: '数据库连接数过高'.repeat(10) } };
}

/** No replacement characters: a cut never lands inside a UTF-8 sequence. */
function wellFormed(text: string): boolean {
  return !text.includes('\uFFFD') && Buffer.from(text, 'utf8').toString('utf8') === text;
}

describe('robot news body', () => {
  it('has the documented shape: one article with title, description, url (and picurl only when there is an image)', () => {
    const parsed = alertmanagerSource.parse(loadFixture('alertmanager-firing.json'), new Date(FIXED_NOW));
    const [message] = packAs('news', notificationOf(parsed));
    const body = robotBody(message) as any;
    expect(Object.keys(body)).toEqual(['msgtype', 'news']);
    expect(body.msgtype).toBe('news');
    expect(body.news.articles).toHaveLength(1);
    const [article] = body.news.articles;
    expect(Object.keys(article)).toEqual(['title', 'description', 'url']);
    expect(article.title).toBe('🔴【严重】MySQLTooManyConnections · prod-sh');
    expect(article.description).toBe(
      '📍 prod-sh · prod · mysqld-exporter · dba\n🔴 严重 2\n🔴【严重】MySQLTooManyConnections ×2\n· db-master-01:9104 · 10:13\n· db-slave-02:9104 · 10:14',
    );
    expect(article.url).toBe('http://prometheus-k8s-0.monitoring.svc:9090/graph?g0.expr=mysql_global_status_threads_connected+%3E+400&g0.tab=1');
  });

  it('uses the Grafana imageURL as picurl', () => {
    const payload = loadFixture('grafana-unified-firing.json');
    payload.alerts[0].imageURL = 'https://grafana.example.cn/public/img/attachments/abc.png';
    const parsed = grafanaSource.parse(payload, new Date(FIXED_NOW));
    const [message] = packAs('news', notificationOf(parsed));
    const article = (robotBody(message) as any).news.articles[0];
    expect(article.picurl).toBe('https://grafana.example.cn/public/img/attachments/abc.png');
    expect(article.url).toMatch(/^https:\/\/grafana\.example\.cn\//);
  });

  it('keeps title ≤ 128 B and description ≤ 512 B with long Chinese text, and every alert across parts', () => {
    const alerts = Array.from({ length: 6 }, (_, i) => chineseAlert(i));
    const messages = packAs('news', alertsNotification(alerts));
    expect(messages.length).toBeGreaterThan(1);
    for (const message of messages) {
      const article = (robotBody(message) as any).news.articles[0];
      expect(byteLength(article.title)).toBeLessThanOrEqual(128);
      expect(byteLength(article.description)).toBeLessThanOrEqual(512);
      expect(wellFormed(article.title)).toBe(true);
      expect(wellFormed(article.description)).toBe(true);
      expect(article.url).toMatch(/^https:\/\//);
    }
    const covered = messages.flatMap((message) => message.sections.flatMap((section) => alerts.slice(section.start, section.end).map((alert) => alert.fingerprint)));
    expect(covered).toEqual(alerts.map((alert) => alert.fingerprint));
  });

  it('falls back to server.external_url, then the WeCom portal, when the message has no link (url is required)', () => {
    const message: PackedMessage = { msgtype: 'news', title: '备份完成', content: '全部 12 个库已备份', sections: [], alertCount: 1, bytes: 0, truncated: false, companion: false };
    expect((robotBody(message, 'https://adapter.example.cn/') as any).news.articles[0].url).toBe('https://adapter.example.cn/');
    expect((robotBody(message) as any).news.articles[0].url).toBe(DEFAULT_CARD_URL);
    expect((robotBody({ ...message, url: 'javascript:alert(1)' }) as any).news.articles[0].url).toBe(DEFAULT_CARD_URL);
  });
});

describe('robot template_card body (text_notice)', () => {
  it('has the documented shape for an Alertmanager notification', () => {
    const parsed = alertmanagerSource.parse(loadFixture('alertmanager-firing.json'), new Date(FIXED_NOW));
    const [message] = packAs('template_card', notificationOf(parsed));
    const body = robotBody(message, 'https://adapter.example.cn/') as any;
    expect(Object.keys(body)).toEqual(['msgtype', 'template_card']);
    const card = body.template_card;
    expect(Object.keys(card)).toEqual(['card_type', 'source', 'main_title', 'emphasis_content', 'sub_title_text', 'horizontal_content_list', 'jump_list', 'card_action']);
    expect(card.card_type).toBe('text_notice');
    expect(card.source).toEqual({ desc: 'Alertmanager', desc_color: 2 });
    expect(card.main_title).toEqual({ title: '🔴【严重】MySQLTooManyConnections · prod-sh', desc: '数据库连接数过高' });
    expect(card.emphasis_content).toEqual({ title: '2', desc: '条告警触发中' });
    expect(card.sub_title_text).toBe('🔴 db-master-01:9104\n🔴 db-slave-02:9104');
    expect(card.horizontal_content_list).toEqual([
      { keyname: '实例', value: 'db-master-01:9104 等 2 个' },
      { keyname: '级别', value: '严重' },
      { keyname: '开始', value: '03-18 10:13' },
    ]);
    expect(card.jump_list.map((jump: any) => jump.title)).toEqual(['查看', '静默', '处理手册']);
    for (const jump of card.jump_list) expect(jump.type).toBe(1);
    expect(card.card_action).toEqual({ type: 1, url: 'http://prometheus-k8s-0.monitoring.svc:9090/graph?g0.expr=mysql_global_status_threads_connected+%3E+400&g0.tab=1' });
  });

  it('shows a single alert\'s value as the key figure and how long it has been firing', () => {
    const alert = chineseAlert(1, { value: '93%', summary: '磁盘使用率 93%', description: '', labels: { instance: 'web-01' } });
    const [message] = packAs('template_card', alertsNotification([alert]));
    const card = (robotBody(message) as any).template_card;
    expect(card.emphasis_content).toEqual({ title: '93%', desc: '当前值' });
    expect(card.horizontal_content_list).toEqual([
      { keyname: '实例', value: 'web-01' },
      { keyname: '级别', value: '严重' },
      { keyname: '开始', value: '03-18 10:13' },
      { keyname: '已持续', value: '1h47m' },
    ]);
  });

  it('is green with the resolved count when everything is resolved', () => {
    const parsed = alertmanagerSource.parse(loadFixture('alertmanager-resolved.json'), new Date(FIXED_NOW));
    const [message] = packAs('template_card', notificationOf(parsed));
    const card = (robotBody(message) as any).template_card;
    expect(card.source.desc_color).toBe(3);
    expect(card.emphasis_content).toEqual({ title: '2', desc: '条告警已恢复' });
    expect(card.main_title.title).toBe('✅【已恢复】MySQLTooManyConnections · prod-sh');
    expect(card.sub_title_text).toBe('✅ db-master-01:9104\n✅ db-slave-02:9104');
  });

  it('holds every field limit with long Chinese text and never cuts inside a character', () => {
    const alerts = Array.from({ length: 5 }, (_, i) => chineseAlert(i));
    const messages = packAs('template_card', alertsNotification(alerts));
    for (const message of messages) {
      const card = (robotBody(message) as any).template_card;
      const fields: [string, number][] = [
        [card.source.desc, CARD_LIMITS.sourceDesc],
        [card.main_title.title, CARD_LIMITS.title],
        [card.main_title.desc, CARD_LIMITS.titleDesc],
        [card.emphasis_content.title, CARD_LIMITS.emphasisTitle],
        [card.emphasis_content.desc, CARD_LIMITS.emphasisDesc],
        [card.sub_title_text, CARD_LIMITS.subTitle],
        ...card.horizontal_content_list.flatMap((item: any) => [
          [item.keyname, CARD_LIMITS.keyname],
          [item.value, CARD_LIMITS.value],
        ]),
        ...card.jump_list.map((jump: any) => [jump.title, CARD_LIMITS.jumpTitle]),
      ];
      for (const [text, limit] of fields) {
        expect(typeof text).toBe('string');
        expect(byteLength(text)).toBeLessThanOrEqual(limit);
        expect(wellFormed(text)).toBe(true);
      }
      expect(card.horizontal_content_list.length).toBeLessThanOrEqual(6);
      expect(card.jump_list.length).toBeLessThanOrEqual(3);
      expect(card.card_action.type).toBe(1);
      expect(card.card_action.url).toMatch(/^https?:\/\//);
    }
    // documented limits in bytes: 26 / 30 / 112 characters × 3
    expect([CARD_LIMITS.title, CARD_LIMITS.titleDesc, CARD_LIMITS.subTitle]).toEqual([78, 90, 336]);
  });

  it('truncates hand-built oversized fields and caps the lists (6 fields, 3 links)', () => {
    const long = '很长的中文内容'.repeat(100);
    const message: PackedMessage = {
      msgtype: 'template_card',
      title: long,
      content: long,
      sections: [],
      alertCount: 1,
      bytes: 0,
      truncated: false,
      companion: false,
      card: {
        source: long,
        sourceColor: 2,
        subtitle: long,
        figure: { title: long, desc: long },
        fields: Array.from({ length: 9 }, (_, i) => ({ keyname: `${long}${i}`, value: long })),
        links: Array.from({ length: 5 }, (_, i) => ({ title: long, url: `https://example.cn/${i}` })),
      },
    };
    const card = (robotBody(message) as any).template_card;
    expect(byteLength(card.source.desc)).toBeLessThanOrEqual(39);
    expect(byteLength(card.main_title.title)).toBeLessThanOrEqual(78);
    expect(byteLength(card.main_title.desc)).toBeLessThanOrEqual(90);
    expect(byteLength(card.emphasis_content.title)).toBeLessThanOrEqual(30);
    expect(byteLength(card.emphasis_content.desc)).toBeLessThanOrEqual(45);
    expect(byteLength(card.sub_title_text)).toBeLessThanOrEqual(336);
    expect(card.horizontal_content_list).toHaveLength(6);
    expect(card.jump_list).toHaveLength(3);
    expect(card.card_action.url).toBe('https://example.cn/0');
    for (const text of [card.source.desc, card.main_title.title, card.sub_title_text]) expect(text.endsWith('…')).toBe(true);
  });

  it('renders a generic message as a card with severity, time and labels', () => {
    const notification: TextNotification = {
      kind: 'message',
      source: 'api',
      receiver: 'ops',
      template: 'message',
      title: '夜间备份失败',
      content: 'db-backup 任务退出码 2\n请检查 /var/log/backup.log',
      severity: 'critical',
      labels: { job: 'db-backup', team: 'dba' },
      createdAt: '2025-03-18T03:30:00Z',
    };
    const [message] = packAs('template_card', notification);
    const card = (robotBody(message, 'https://adapter.example.cn/') as any).template_card;
    expect(card.source).toEqual({ desc: '消息通知', desc_color: 0 });
    expect(card.main_title).toEqual({ title: '【严重】夜间备份失败' });
    expect(card.sub_title_text).toBe('db-backup 任务退出码 2\n请检查 /var/log/backup.log');
    expect(card.horizontal_content_list).toEqual([
      { keyname: '级别', value: '严重' },
      { keyname: '时间', value: '03-18 11:30' },
      { keyname: 'job', value: 'db-backup' },
      { keyname: 'team', value: 'dba' },
    ]);
    expect(card.emphasis_content).toBeUndefined();
    expect(card.card_action).toEqual({ type: 1, url: 'https://adapter.example.cn/' });
  });
});
