/*
 * DOM helpers and the console's vocabulary. Data from the API always becomes text nodes (never
 * HTML); every state and label is Chinese with the English word beside it.
 */

/** el builds an element: attrs (text, on*, class, data-*, …) and children (strings become text). */
export function el(tag, attrs, children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'text') node.textContent = String(value);
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children || []) {
    if (child === undefined || child === null || child === false) continue;
    node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

export const $ = (id) => document.getElementById(id);

export function replaceChildren(node, children) {
  node.textContent = '';
  for (const child of children) if (child) node.appendChild(child);
}

/** STATES: the notification states, 中文 first. */
export const STATES = {
  queued: '排队 queued',
  sending: '发送中 sending',
  retrying: '重试中 retrying',
  sent: '已发送 sent',
  dead: '死信 dead',
};

export const STATUSES = { firing: '告警中 firing', resolved: '已恢复 resolved' };

/** inSeconds: "30s" / "4m" / "2h" until a time (server clock given as `now`). */
export function inWords(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return s + 's';
  if (s < 5400) return Math.round(s / 60) + 'm';
  return Math.round(s / 3600) + 'h';
}

/** stateText: `重试中 retrying (第 4 次 attempt 4, 30s 后 next in 30s, errcode -1)`. */
export function stateText(row, now) {
  const label = STATES[row.state] || row.state;
  if (row.state === 'retrying') {
    const next = row.nextAttemptAt !== undefined ? inWords(row.nextAttemptAt - now) : '?';
    const code = row.errcode !== undefined ? ', errcode ' + row.errcode : row.reason ? ', ' + row.reason : '';
    return label + ' (第 ' + row.attempts + ' 次 attempt ' + row.attempts + ', ' + next + ' 后 next in ' + next + code + ')';
  }
  if (row.state === 'dead') return label + (row.errcode !== undefined ? ' (errcode ' + row.errcode + ')' : row.reason ? ' (' + row.reason + ')' : '');
  return label;
}

export function stateBadge(row, now) {
  return el('span', { class: 'state state-' + row.state, text: stateText(row, now) });
}

export function statusBadge(status) {
  return el('span', { class: 'status status-' + status, text: STATUSES[status] || status });
}

/** parts: `3/8` (total unknown before the first send: `0/?`). */
export function partsText(parts) {
  return parts.sent + '/' + (parts.total === undefined ? '?' : parts.total);
}

/** namesText: alert names, a storm shortened (`MysqlDown, DiskFull +198`). */
export function namesText(names, count) {
  const shown = names.slice(0, 3).join(', ');
  const more = Math.max(count, names.length) - Math.min(names.length, 3);
  return more > 0 && count > 1 ? shown + ' … (' + count + ' 条 alerts)' : shown;
}

/** cell: a table cell that becomes "label | value" on a phone. */
export function cell(label, children, cls) {
  return el('td', { 'data-label': label, class: cls }, [el('div', {}, children)]);
}

export function table(headers, rows, cls) {
  return el('div', { class: 'table-wrap' }, [
    el('table', { class: 'rows ' + (cls || '') }, [
      el('thead', {}, [el('tr', {}, headers.map((header) => el('th', { text: header })))]),
      el('tbody', {}, rows),
    ]),
  ]);
}

export function empty(text) {
  return el('p', { class: 'empty', text });
}

export function errorBox(error) {
  return el('div', { class: 'error' }, [
    el('strong', { text: (error.status ? error.status + ' ' : '') + error.message }),
    error.path ? el('div', {}, ['位置 path: ', el('code', { class: 'error-path', text: error.path })]) : null,
  ]);
}

/** toQuery / fromForm: filter forms ⇄ hash query strings (deep links keep the filters). */
export function fromForm(form) {
  const params = new URLSearchParams();
  for (const [key, value] of new FormData(form)) {
    if (typeof value !== 'string' || !value.trim()) continue;
    // datetime-local has no zone: it is read in the browser's zone, sent as an instant.
    params.set(key, form.elements[key].type === 'datetime-local' ? new Date(value).toISOString() : value.trim());
  }
  return params;
}

export function fillForm(form, params) {
  for (const element of form.elements) {
    if (!element.name) continue;
    const value = params.get(element.name) || '';
    if (element.type === 'datetime-local' && value) {
      const date = new Date(value);
      element.value = Number.isNaN(date.getTime()) ? '' : new Date(date.getTime() - date.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
    } else element.value = value;
  }
}

/** CARD_ACTIONS / CARD_RESULTS: the audit log's words (GET /ui/api/card-actions), 中文 first. */
export const CARD_ACTIONS = { ack: '认领 acknowledge', silence: '静默 silence', escalate: '升级 escalate', callback: '回调 callback' };
export const CARD_RESULTS = { ok: '成功 ok', failed: '失败 failed', denied: '拒绝 refused', duplicate: '重复 duplicate' };

/** durationText: how long something took, `45s` / `12m 5s` / `2h 3m` / `3d 4h` (null → `—`). */
export function durationText(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return s + 's';
  if (s < 3600) return Math.floor(s / 60) + 'm' + (s % 60 ? ' ' + (s % 60) + 's' : '');
  if (s < 172800) {
    const m = Math.floor((s % 3600) / 60);
    return Math.floor(s / 3600) + 'h' + (m ? ' ' + m + 'm' : '');
  }
  const h = Math.floor((s % 86400) / 3600);
  return Math.floor(s / 86400) + 'd' + (h ? ' ' + h + 'h' : '');
}

const dayFormat = (() => {
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone: document.body.dataset.timezone || undefined, year: 'numeric', month: '2-digit', day: '2-digit' });
  } catch {
    return new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit' });
  }
})();

/**
 * clockText: a server time (`YYYY-MM-DD HH:mm:ss`, already in server.timezone) as the card shows it:
 * `10:32` today (in server.timezone), `11-30 10:32` on another day.
 */
export function clockText(time) {
  if (!/^\d{4}-\d\d-\d\d \d\d:\d\d/.test(time)) return time;
  return time.slice(0, 10) === dayFormat.format(new Date()) ? time.slice(11, 16) : time.slice(5, 16);
}

/** ackKey: an acknowledgement belongs to one alert episode (fingerprint + startsAt), like the action store's key. */
export function ackKey(fingerprint, startsAt) {
  return fingerprint + '|' + startsAt;
}

/** ackMark: `zhangsan 已认领 10:32` on an acknowledged alert (full time and time to ack in the tooltip). */
export function ackMark(ack) {
  return el('div', { class: 'acked', title: 'acknowledged by ' + ack.user + ' at ' + ack.time + (ack.secondsToAck !== null && ack.secondsToAck !== undefined ? ' · 用时 time to ack ' + durationText(ack.secondsToAck) : '') }, [
    ack.user + ' 已认领 ' + clockText(ack.time),
    el('span', { class: 'en', text: ' acknowledged' }),
  ]);
}
