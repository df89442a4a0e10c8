import type { Alert } from '../model/alert';
import type { Notification } from '../model/notification';
import { sanitizeUrl, sanitizeValue } from './sanitize';
import { severityLabel, severityRank } from './severity';
import { formatDate, humanDuration } from './time-format';

/**
 * CardFields: the structured parts of a robot `template_card` (text_notice) that a template's text
 * cannot express: where it comes from, the key figure, a short key/value list and jump links
 * (wecom-api.md §1.2; README "Rich robot messages"). The main title and the sub-title text are the
 * rendered `card` template (first line, rest), as for every card format. Values here are plain
 * text; the robot channel enforces each field's byte limit when it builds the body.
 */
export interface CardFields {
  /** source.desc: the sending system (Alertmanager, Grafana, Kibana, 消息通知, 告警摘要). */
  source: string;
  /** source.desc_color: 2 red while something fires, 3 green when all is resolved, 0 grey otherwise. */
  sourceColor: 0 | 2 | 3;
  /** main_title.desc: one line under the title (the first alert's summary). */
  subtitle?: string;
  /** emphasis_content: the key figure and what it is. */
  figure?: { title: string; desc: string };
  /** horizontal_content_list (at most 6 are sent). */
  fields: { keyname: string; value: string }[];
  /** jump_list (at most 3 are sent). */
  links: { title: string; url: string }[];
}

/** One section of a packed message: items [start, end) of a notification. */
export interface CardSlice {
  notification: Notification;
  start: number;
  end: number;
}

const SOURCE_NAMES: Record<string, string> = { alertmanager: 'Alertmanager', grafana: 'Grafana', kibana: 'Kibana', api: '消息通知', digest: '告警摘要' };

export function cardFields(slices: CardSlice[], timezone: string, now: number): CardFields {
  const first = slices[0]?.notification;
  if (!first) return { source: '通知', sourceColor: 0, fields: [], links: [] };
  if (first.kind === 'message') {
    if (first.digest) {
      const d = first.digest;
      const fields = [
        { keyname: '恢复', value: `${d.resolved} 条` },
        { keyname: '仍在告警', value: `${d.stillFiringTotal} 条` },
        ...(d.mttr ? [{ keyname: '平均恢复', value: d.mttr }] : []),
        ...(d.top[0] ? [{ keyname: '触发最多', value: `${d.top[0].name} ×${d.top[0].count}` }] : []),
      ];
      return { source: SOURCE_NAMES.digest, sourceColor: d.stillFiringTotal > 0 ? 2 : 3, figure: { title: String(d.firing), desc: '次告警触发' }, fields: clean(fields), links: [] };
    }
    const fields = [
      ...(first.severity ? [{ keyname: '级别', value: severityLabel(first.severity) }] : []),
      { keyname: '时间', value: formatDate(first.createdAt, timezone, 'MM-DD HH:mm') },
      ...Object.entries(first.labels)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([keyname, value]) => ({ keyname, value })),
    ];
    return { source: SOURCE_NAMES[first.source] ?? first.source, sourceColor: 0, fields: clean(fields), links: [] };
  }
  const alerts: Alert[] = slices.flatMap((slice) => (slice.notification.kind === 'alerts' ? slice.notification.alerts.slice(slice.start, slice.end) : []));
  const firing = alerts.filter((alert) => alert.status === 'firing');
  const lead = firing[0] ?? alerts[0];
  // The key figure counts whole notifications, like the part headers: part 2/3 still says "17 条".
  const whole = [...new Set(slices.map((slice) => slice.notification))].flatMap((notification) => (notification.kind === 'alerts' ? notification.alerts : []));
  const wholeFiring = whole.filter((alert) => alert.status === 'firing').length;
  const figure =
    whole.length === 1 && firing.length === 1 && firing[0].value
      ? { title: firing[0].value, desc: '当前值' }
      : wholeFiring > 0
        ? { title: String(wholeFiring), desc: '条告警触发中' }
        : { title: String(whole.length), desc: '条告警已恢复' };
  const instances = [...new Set(alerts.map((alert) => alert.labels.instance).filter((value): value is string => Boolean(value)))];
  const worst = [...(firing.length > 0 ? firing : alerts)].sort((a, b) => severityRank(a.severity) - severityRank(b.severity))[0];
  const starts = alerts.map((alert) => alert.startsAt).filter((value) => !Number.isNaN(Date.parse(value))).sort();
  const fields: { keyname: string; value: string }[] = [];
  if (instances.length > 0) fields.push({ keyname: '实例', value: instances.length === 1 ? instances[0] : `${instances[0]} 等 ${instances.length} 个` });
  if (worst) fields.push({ keyname: '级别', value: severityLabel(worst.severity) });
  if (starts[0]) fields.push({ keyname: '开始', value: formatDate(starts[0], timezone, 'MM-DD HH:mm') });
  if (alerts.length === 1 && lead) {
    if (lead.status === 'firing') fields.push({ keyname: '已持续', value: humanDuration(now - Date.parse(lead.startsAt)) });
    else if (lead.endsAt) fields.push({ keyname: '结束', value: formatDate(lead.endsAt, timezone, 'MM-DD HH:mm') });
  }
  const links: { title: string; url: string }[] = [];
  const candidates: [string, string | undefined][] = [
    ['查看', lead?.links.source],
    ['看板', lead?.links.dashboard],
    ['静默', lead?.status === 'firing' ? lead.links.silence : undefined],
    ['处理手册', lead?.links.runbook],
  ];
  for (const [title, url] of candidates) {
    const safe = sanitizeUrl(url);
    if (safe) links.push({ title, url: safe });
  }
  return {
    source: SOURCE_NAMES[first.source] ?? first.source,
    sourceColor: firing.length > 0 ? 2 : 3,
    subtitle: lead ? text(lead.summary || lead.description) || undefined : undefined,
    figure: { title: text(figure.title), desc: figure.desc },
    fields: clean(fields),
    links: links.slice(0, 3),
  };
}

/** One line of plain text: no line breaks, no markup look-alikes needed in JSON fields beyond `<`/`>`. */
function text(value: string): string {
  return sanitizeValue(value, 'text');
}

function clean(fields: { keyname: string; value: string }[]): { keyname: string; value: string }[] {
  return fields
    .map((field) => ({ keyname: text(field.keyname), value: text(field.value) }))
    .filter((field) => field.keyname.length > 0 && field.value.length > 0)
    .slice(0, 6);
}
