/*
 * 告警 Alerts (the first screen): what is firing now — name, severity, where, since when, the
 * receivers its notifications went to and their state — and the searchable history. Every alert
 * links to the notifications that carried it (by fingerprint). An alert acknowledged from a WeCom card
 * says who and when (`zhangsan 已认领 10:32`): the acknowledgements of /ui/api/card-actions joined by
 * alert episode (fingerprint + startsAt — a re-fired alert is a new episode, not acknowledged).
 */
import { api } from './api.js';
import { $, el, replaceChildren, empty, errorBox, fillForm, fromForm, STATES, statusBadge, cell, table, ackKey, ackMark } from './dom.js';

let lastFiring = '';
let historyParams = '';
/** Acknowledgements by ackKey; the newest per episode (the API lists newest first). */
let acks = new Map();
let lastAcks = '';

async function loadAcks() {
  const data = await api('card-actions');
  const signature = JSON.stringify(data.acks);
  if (signature === lastAcks) return;
  lastAcks = signature;
  acks = new Map();
  for (const ack of data.acks) if (!acks.has(ackKey(ack.fingerprint, ack.startsAt))) acks.set(ackKey(ack.fingerprint, ack.startsAt), ack);
}

const ackOf = (alert) => acks.get(ackKey(alert.fingerprint, alert.startsAt));

function deliveries(alert) {
  if (alert.deliveries.length === 0) return [el('span', { class: 'muted', text: '未发送 not sent (no route, deduplicated or suppressed)' })];
  return alert.deliveries.map((delivery) =>
    el('a', { class: 'delivery state-' + delivery.state, href: '#/notifications/' + encodeURIComponent(delivery.notificationId) }, [delivery.receiver + ' · ' + (STATES[delivery.state] || delivery.state)]),
  );
}

function notificationsLink(alert) {
  return el('a', { class: 'more', href: '#/notifications?fingerprint=' + encodeURIComponent(alert.fingerprint) }, ['全部通知 all notifications →']);
}

function firingCard(alert) {
  const ack = ackOf(alert);
  return el('article', { class: 'alert-card sev-' + String(alert.severity).toLowerCase() + (ack ? ' is-acked' : ''), 'data-fingerprint': alert.fingerprint }, [
    el('div', { class: 'alert-head' }, [el('strong', { class: 'alert-name', text: alert.name }), el('span', { class: 'severity', text: alert.severity })]),
    alert.where ? el('div', { class: 'where', text: alert.where }) : null,
    el('div', { class: 'since muted', text: '开始 since ' + alert.since + ' · ' + alert.source }),
    ack ? ackMark(ack) : null,
    el('div', { class: 'deliveries' }, deliveries(alert)),
    notificationsLink(alert),
  ]);
}

/** A storm: more than GROUP_AT alerts of one name become one collapsed group (open it for each alert). */
const GROUP_AT = 3;
const open = new Set();

function countsText(values) {
  const counts = {};
  for (const value of values) counts[value] = (counts[value] || 0) + 1;
  return Object.entries(counts)
    .map(([value, n]) => value + ' ' + n)
    .join(' · ');
}

function groupCard(name, alerts) {
  const states = countsText(alerts.flatMap((alert) => alert.deliveries.map((delivery) => delivery.receiver + ' ' + (STATES[delivery.state] || delivery.state))));
  const acked = alerts.filter(ackOf).length;
  const details = el('details', { class: 'alert-group', 'data-name': name, open: open.has(name) }, [
    el('summary', {}, [
      el('strong', { class: 'alert-name', text: name }),
      el('span', { class: 'count', text: String(alerts.length) }),
      el('div', { class: 'muted', text: countsText(alerts.map((alert) => alert.severity)) + ' · 开始 since ' + alerts[alerts.length - 1].since }),
      el('div', { class: 'group-states', text: states || '未发送 not sent' }),
      acked ? el('div', { class: 'acked group-acked', text: '已认领 acknowledged ' + acked + '/' + alerts.length }) : null,
    ]),
    el('div', { class: 'alert-list' }, alerts.map(firingCard)),
  ]);
  details.addEventListener('toggle', () => (details.open ? open.add(name) : open.delete(name)));
  return details;
}

async function loadFiring() {
  const data = await api('alerts/firing');
  const signature = JSON.stringify(data.alerts) + lastAcks;
  if (signature === lastFiring) return;
  lastFiring = signature;
  $('firing-count').textContent = data.alerts.length ? String(data.alerts.length) : '';
  const byName = new Map();
  for (const alert of data.alerts) byName.set(alert.name, [...(byName.get(alert.name) || []), alert]);
  const cards = [...byName].flatMap(([name, alerts]) => (alerts.length > GROUP_AT ? [groupCard(name, alerts)] : alerts.map(firingCard)));
  replaceChildren($('firing-list'), cards.length ? cards : [empty('当前没有告警 Nothing is firing.')]);
}

function historyRow(alert) {
  return el('tr', { 'data-fingerprint': alert.fingerprint }, [
    cell('收到 Received', [alert.received]),
    cell('名称 Name', [el('strong', { text: alert.name }), alert.where ? el('div', { class: 'where', text: alert.where }) : null]),
    cell('状态 Status', [statusBadge(alert.status), ' ', el('span', { class: 'severity', text: alert.severity }), ackOf(alert) ? ackMark(ackOf(alert)) : null]),
    cell('来源 Source', [alert.source]),
    cell('发往 Sent to', [el('div', { class: 'deliveries' }, deliveries(alert)), notificationsLink(alert)]),
  ]);
}

async function loadHistory(params) {
  const result = $('history-result');
  try {
    const data = await api('alerts/history?' + params.toString());
    replaceChildren(result, [
      el('p', { class: 'muted', text: data.alerts.length + ' 条 records' + (data.truncated ? ' — 只搜索了最近 ' + data.scanned + ' 条 (searched the newest ' + data.scanned + '; narrow the time range)' : '') }),
      data.alerts.length ? table(['收到 Received', '名称 Name', '状态 Status', '来源 Source', '发往 Sent to'], data.alerts.map(historyRow), 'history') : empty('没有匹配的告警 No matching alerts.'),
    ]);
  } catch (error) {
    replaceChildren(result, [errorBox(error)]);
  }
}

export const alertsView = {
  async show(route) {
    const form = $('history-form');
    fillForm(form, route.params);
    historyParams = route.params.toString();
    // A failing card-actions API must not hide what is firing: render without the marks, then report it.
    const ackError = await loadAcks().then(() => undefined, (error) => error);
    await Promise.all([loadFiring(), loadHistory(route.params)]);
    if (ackError) throw ackError;
  },
  async refresh() {
    const ackError = await loadAcks().then(() => undefined, (error) => error);
    await loadFiring();
    if (ackError) throw ackError;
  },
};

$('history-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const query = fromForm(event.target).toString();
  if (query === historyParams) loadHistory(new URLSearchParams(query));
  else location.hash = '#/alerts' + (query ? '?' + query : '');
});
$('history-form').addEventListener('reset', () => setTimeout(() => (location.hash = '#/alerts'), 0));
