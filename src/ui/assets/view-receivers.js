/*
 * 接收者 Receivers: each receiver's rate-limit window as the worker sees it, its queue and dead
 * letters, last success and last error, and a test message.
 */
import { api } from './api.js';
import { $, el, replaceChildren } from './dom.js';

const testResults = {};
const testing = {};
let last = [];

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

function render() {
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
  last = (await api('receivers')).receivers;
  render();
}

export const receiversView = { show: load, refresh: load };
