/*
 * 通知 Notifications: one row per notification (alert names, status, parts 3/8, receiver, the true
 * current state), filters, and a detail with the alerts it carried, every attempt with WeCom's
 * answer, the exact body sent, and the dead-letter reason.
 */
import { api } from './api.js';
import { $, el, replaceChildren, empty, errorBox, fillForm, fromForm, namesText, partsText, stateBadge, statusBadge, cell, table, STATES } from './dom.js';
import { wecomFrame } from './wecom-markdown.js';

let current = { id: undefined, params: '' };
let lastList = '';

function statusOf(row) {
  if (row.kind === 'message') return [el('span', { class: 'status status-message', text: '消息 message' })];
  return [row.firing ? statusBadge('firing') : null, row.firing && row.resolved ? ' ' : null, row.resolved ? statusBadge('resolved') : null];
}

function listRow(row, now) {
  return el('tr', { 'data-id': row.id, class: 'state-row-' + row.state, onclick: () => (location.hash = '#/notifications/' + encodeURIComponent(row.id)) }, [
    cell('时间 Time', [row.time]),
    cell('告警 Alerts', [el('a', { href: '#/notifications/' + encodeURIComponent(row.id), class: 'names', text: namesText(row.names, row.alertCount) })]),
    cell('状态 Status', statusOf(row)),
    cell('分段 Parts', [partsText(row.parts)], 'num'),
    cell('接收者 Receiver', [row.receiver]),
    cell('投递 State', [stateBadge(row, now), row.hint ? el('div', { class: 'reason', text: row.hint }) : null]),
  ]);
}

async function loadList() {
  const params = new URLSearchParams(current.params);
  const data = await api('notifications?' + params.toString());
  const signature = JSON.stringify(data.notifications) + Math.floor(data.now / 5000);
  if (signature === lastList) return;
  lastList = signature;
  replaceChildren($('notification-list'), [
    data.notifications.length
      ? table(['时间 Time', '告警 Alerts', '状态 Status', '分段 Parts', '接收者 Receiver', '投递 State'], data.notifications.map((row) => listRow(row, data.now)), 'notifications')
      : empty('没有通知 No notifications match.'),
  ]);
}

function alertList(content) {
  if (content.title !== undefined) return [el('h4', { text: content.title }), el('pre', { class: 'raw', text: content.content })];
  return [
    el(
      'ul',
      { class: 'alert-lines' },
      content.alerts.map((alert) =>
        el('li', {}, [
          statusBadge(alert.status),
          ' ',
          el('a', { href: '#/notifications?fingerprint=' + encodeURIComponent(alert.fingerprint), text: alert.name }),
          ' ',
          el('span', { class: 'severity', text: alert.severity }),
          el('div', { class: 'muted', text: '开始 since ' + alert.since + (alert.summary ? ' · ' + alert.summary : '') }),
          el('div', { class: 'labels', text: Object.entries(alert.labels).map(([k, v]) => k + '=' + v).join(', ') }),
        ]),
      ),
    ),
    content.total > content.alerts.length ? el('p', { class: 'muted', text: '另有 ' + (content.total - content.alerts.length) + ' 条未列出 (' + (content.total - content.alerts.length) + ' more not listed)' }) : null,
  ];
}

/** attempts: each send with WeCom's answer, and the exact body (rendered and raw). */
export function attemptList(attempts) {
  if (attempts.length === 0) return [empty('尚未发送 Not sent yet.')];
  return attempts.map((attempt) => {
    let content = '';
    try {
      const body = JSON.parse(attempt.body);
      const part = body[body.msgtype] || {};
      content = part.content || part.description || JSON.stringify(body, null, 2);
    } catch {
      content = attempt.body;
    }
    const answer = attempt.status === 'sent' ? 'errcode 0 · ok' : [attempt.errcode !== undefined ? 'errcode ' + attempt.errcode : null, attempt.reason, attempt.error].filter(Boolean).join(' · ');
    return el('details', { class: 'attempt attempt-' + attempt.status }, [
      el('summary', {}, [
        el('span', { class: 'state state-' + (attempt.status === 'sent' ? 'sent' : attempt.status), text: STATES[attempt.status] || attempt.status }),
        ' ' + attempt.time + (attempt.part ? ' · 第 ' + attempt.part.part + '/' + attempt.part.total + ' 段 part' : '') + ' · ' + attempt.bytes + ' B · ' + answer,
      ]),
      attempt.hint ? el('p', { class: 'hint', text: attempt.hint }) : null,
      wecomFrame({ msgtype: attempt.msgtype, content, bytes: attempt.bytes, limit: 0 }),
      el('pre', { class: 'raw', text: attempt.body }),
    ]);
  });
}

/** detailView: shared by notifications and dead letters. */
export function detailView(data, back) {
  const row = data.notification;
  return [
    el('a', { href: back, class: 'back', text: '← 返回列表 Back to the list' }),
    el('h3', { id: 'detail-heading', text: namesText(row.names, row.alertCount) }),
    el('dl', { class: 'facts' }, [
      el('dt', { text: '投递 State' }),
      el('dd', {}, [stateBadge(row, data.now)]),
      el('dt', { text: '接收者 Receiver' }),
      el('dd', { text: row.receiver }),
      el('dt', { text: '来源 Source' }),
      el('dd', { text: row.source }),
      el('dt', { text: '分段 Parts' }),
      el('dd', { text: partsText(row.parts) }),
      el('dt', { text: '入队 Queued at' }),
      el('dd', { text: row.time }),
      row.finishedTime ? el('dt', { text: '发送完成 Sent at' }) : null,
      row.finishedTime ? el('dd', { text: row.finishedTime }) : null,
      row.state === 'dead' ? el('dt', { text: '死信原因 Reason' }) : null,
      row.state === 'dead' ? el('dd', { class: 'dead-reason' }, [row.hint || row.error || row.reason || '', row.error && row.hint ? el('div', { class: 'muted', text: row.error }) : null]) : null,
    ]),
    // What was said comes first; a storm's alert list is folded (it can be hundreds of lines).
    el('h4', { text: '发送记录 Attempts (' + data.attempts.length + ')' }),
    ...attemptList(data.attempts),
    el('details', { class: 'alert-box', open: data.content.total <= 10 }, [el('summary', {}, [el('h4', { text: '告警 Alerts (' + data.content.total + ')' })]), ...alertList(data.content)]),
  ];
}

async function loadDetail(id) {
  const box = $('notification-detail');
  try {
    const data = await api('notifications/' + encodeURIComponent(id));
    replaceChildren(box, detailView(data, '#/notifications' + (current.params ? '?' + current.params : '')));
  } catch (error) {
    replaceChildren(box, [el('a', { href: '#/notifications', class: 'back', text: '← 返回 Back' }), errorBox(error)]);
  }
}

export const notificationsView = {
  async show(route) {
    current = { id: route.id, params: route.id ? current.params : route.params.toString() };
    const form = $('notification-form');
    const detail = route.id !== undefined;
    $('notification-filters').hidden = detail;
    $('notification-list').hidden = detail;
    $('notification-detail').hidden = !detail;
    const note = $('notification-filter-note');
    const fingerprint = new URLSearchParams(current.params).get('fingerprint');
    note.hidden = detail || !fingerprint;
    note.textContent = fingerprint ? '只显示携带告警 ' + fingerprint + ' 的通知 (only notifications carrying this alert)' : '';
    if (detail) return loadDetail(route.id);
    fillForm(form, route.params);
    lastList = '';
    return loadList();
  },
  async refresh() {
    if (current.id === undefined) await loadList();
  },
};

$('notification-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const query = fromForm(event.target).toString();
  location.hash = '#/notifications' + (query ? '?' + query : '');
  if (query === current.params) loadList();
});
$('notification-form').addEventListener('reset', () => setTimeout(() => (location.hash = '#/notifications'), 0));
