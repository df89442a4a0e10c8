/*
 * 接收者 Receivers: each receiver's rate-limit window as the worker sees it, its queue and dead
 * letters, last success and last error, and a test message. Above them, in a warning box, the last
 * webhooks that named a receiver the config does not have (GET /ui/api/unknown-receivers): they were
 * answered 404, which Alertmanager takes as permanent and drops — a URL typo loses alerts silently
 * on the sender's side, so this is shown before anything else.
 */
import { api } from './api.js';
import { $, el, replaceChildren, cell, table } from './dom.js';

const testResults = {};
const testing = {};
let last = [];
let unknown = [];

function card(receiver) {
  const rate = receiver.rateLimit ? '已用 used ' + receiver.rateLimit.used + ' / ' + receiver.rateLimit.count + ' · 窗口 window ' + receiver.rateLimit.per : '不限 unlimited';
  const success = receiver.lastSuccess;
  const failure = receiver.lastError;
  const result = testResults[receiver.name];
  return el('div', { class: 'card', 'data-receiver': receiver.name }, [
    el('h3', { text: receiver.name }),
    el('div', { class: 'muted', text: receiver.kind + ' · ' + receiver.msgtype + ' · 上限 limit ' + receiver.limit + ' 字节 bytes' }),
    el('dl', {}, [
      el('dt', { text: '频率 Rate' }),
      el('dd', { class: 'rate', text: rate }),
      el('dt', { text: '排队 Queued' }),
      el('dd', {}, [el('a', { class: 'queued', href: '#/notifications?receiver=' + encodeURIComponent(receiver.name) + '&state=queued', text: String(receiver.queued) })]),
      el('dt', { text: '死信 Dead' }),
      el('dd', {}, [el('a', { href: '#/dead-letters', text: String(receiver.dead) })]),
      el('dt', { text: '最近成功 Last OK' }),
      el('dd', { text: success ? success.time : '—' }),
      el('dt', { text: '最近错误 Last error' }),
      el('dd', { class: 'last-error', text: failure ? failure.time + (failure.errcode !== undefined ? ' · errcode ' + failure.errcode : '') + ' · ' + (failure.hint || failure.error || failure.reason || '') : '—' }),
    ]),
    el('button', { type: 'button', class: 'secondary send-test', disabled: Boolean(testing[receiver.name]), onclick: () => sendTest(receiver.name) }, [testing[receiver.name] ? '发送中… sending' : '发送测试消息 Send test message']),
    result ? el('ul', { class: result.ok ? 'lines ok' : 'lines bad' }, result.lines.map((line) => el('li', { text: line }))) : null,
  ]);
}

function unknownRow(entry) {
  return el('tr', { class: 'unknown-row' }, [
    cell('时间 When', [entry.time], 'num'),
    cell('来源 Source', [entry.source]),
    cell('接收者 Receiver', [el('code', { class: 'unknown-name', text: entry.receiver }), el('div', { class: 'sub' }, [el('code', { text: '/webhook/' + entry.source + '/' + entry.receiver })])]),
    cell('发送方 Sender', [el('code', { text: entry.sender })]),
  ]);
}

function unknownBox() {
  if (unknown.length === 0) return el('p', { class: 'empty unknown-none', text: '没有发往未知接收者的 webhook No webhooks to unknown receivers (since this process started).' });
  const names = [...new Set(unknown.map((entry) => entry.receiver))];
  return el('div', { class: 'warn-box unknown-box', role: 'alert' }, [
    el('h3', { text: '⚠ 未知接收者 unknown receiver: ' + names.join(', ') }),
    el('p', {}, [
      '这些 webhook 的 URL ',
      el('code', { text: '/webhook/{source}/{receiver}' }),
      ' 写了配置中没有的接收者，已回复 404：Alertmanager 把 404 当作永久失败，直接丢弃这些告警、不重试。请修正发送方 URL 中的接收者名称。',
    ]),
    el('p', { class: 'en' }, ['These webhooks named a receiver the config does not have and were answered 404 — Alertmanager treats a 404 as permanent and drops the alerts, without retrying. Fix the receiver name in the sender\'s URL.']),
    last.length ? el('p', { class: 'muted', text: '已配置 configured: ' + last.map((receiver) => receiver.name).join(', ') }) : null,
    table(['时间 When', '来源 Source', '接收者 Receiver', '发送方 Sender'], unknown.map(unknownRow), 'unknown'),
  ]);
}

function render() {
  replaceChildren($('unknown-receivers'), [unknownBox()]);
  replaceChildren($('receiver-list'), last.map(card));
}

async function sendTest(name) {
  testing[name] = true;
  render();
  try {
    testResults[name] = await api('receivers/' + encodeURIComponent(name) + '/test', {});
  } catch (error) {
    testResults[name] = { ok: false, lines: [error.message] };
  }
  delete testing[name];
  await load();
}

async function load() {
  const [receivers, unknownReceivers] = await Promise.all([api('receivers'), api('unknown-receivers')]);
  last = receivers.receivers;
  unknown = unknownReceivers.unknownReceivers;
  render();
}

export const receiversView = { show: load, refresh: load };
