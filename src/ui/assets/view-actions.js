/*
 * 操作 Actions: what was done from WeCom cards (GET /ui/api/card-actions) — the acknowledgements
 * (who, which alert, when, how long after it started) and the audit log of every action and
 * refusal (who, what, when, result). Refusals (`callback.allow_users`) stand out: they are the
 * rows someone should look at.
 */
import { api } from './api.js';
import { $, el, replaceChildren, empty, cell, table, durationText, CARD_ACTIONS, CARD_RESULTS } from './dom.js';

let last = '';

function ackRow(ack) {
  return el('tr', { 'data-fingerprint': ack.fingerprint, class: 'ack-row' }, [
    cell('认领人 Who', [el('strong', { class: 'who', text: ack.user })]),
    cell('告警 Alert', [
      el('a', { class: 'alert-link', href: '#/notifications?fingerprint=' + encodeURIComponent(ack.fingerprint), text: ack.alertName }),
      el('div', { class: 'sub', text: '接收者 receiver ' + ack.receiver }),
    ]),
    cell('认领于 When', [ack.time], 'num'),
    cell('响应用时 Time to ack', [durationText(ack.secondsToAck)], 'num time-to-ack'),
  ]);
}

function resultBadge(result) {
  return el('span', { class: 'result result-' + result, text: CARD_RESULTS[result] || result });
}

function auditRow(entry) {
  return el('tr', { class: 'audit-row' + (entry.result === 'denied' ? ' refused' : ''), 'data-result': entry.result }, [
    cell('时间 When', [entry.time], 'num'),
    cell('操作人 Who', [el('strong', { class: 'who', text: entry.user })]),
    cell('操作 Action', [CARD_ACTIONS[entry.action] || entry.action, el('div', { class: 'sub', text: '接收者 receiver ' + entry.receiver })]),
    cell('对象 Target', [entry.target]),
    cell('结果 Result', [resultBadge(entry.result), entry.detail ? el('div', { class: 'detail', text: entry.detail }) : null]),
  ]);
}

async function load() {
  const data = await api('card-actions');
  const signature = JSON.stringify([data.acks, data.audit]);
  if (signature === last) return;
  last = signature;
  $('ack-count').textContent = data.acks.length ? String(data.acks.length) : '';
  const refused = data.audit.filter((entry) => entry.result === 'denied').length;
  $('refused-count').textContent = refused ? '拒绝 refused ' + refused : '';
  replaceChildren($('ack-list'), [
    data.acks.length
      ? table(['认领人 Who', '告警 Alert', '认领于 When', '响应用时 Time to ack'], data.acks.map(ackRow), 'acks')
      : empty('还没有认领 No acknowledgements yet (cards of app receivers with msgtype: template_card).'),
  ]);
  replaceChildren($('audit-list'), [
    data.audit.length ? table(['时间 When', '操作人 Who', '操作 Action', '对象 Target', '结果 Result'], data.audit.map(auditRow), 'audit') : empty('审计日志为空 The audit log is empty.'),
  ]);
}

export const actionsView = {
  async show() {
    last = '';
    await load();
  },
  refresh: load,
};
