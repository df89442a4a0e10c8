/*
 * 死信 Dead letters: which alerts each letter holds, the reason with its Chinese and English hint,
 * a detail (content, attempts) and requeue one / all.
 */
import { api } from './api.js';
import { $, el, replaceChildren, empty, errorBox, namesText } from './dom.js';
import { detailView } from './view-notifications.js';

let currentId;
let lastList = '';

function letterCard(letter) {
  return el('article', { class: 'letter', 'data-id': letter.id }, [
    el('div', { class: 'letter-head' }, [
      el('a', { class: 'names', href: '#/dead-letters/' + encodeURIComponent(letter.id), text: namesText(letter.names, letter.alerts) || '(' + letter.source + ')' }),
      el('span', { class: 'muted', text: letter.receiver + ' · ' + letter.source + ' · ' + letter.alerts + ' 条告警 alert(s)' }),
    ]),
    el('div', { class: 'muted', text: '失败于 failed at ' + letter.failedTime + ' · 尝试 attempts ' + letter.attempts + (letter.errcode !== undefined ? ' · errcode ' + letter.errcode : '') + ' · ' + letter.reason }),
    el('p', { class: 'hint', text: letter.hint }),
    el('div', { class: 'actions' }, [
      el('a', { class: 'button secondary', href: '#/dead-letters/' + encodeURIComponent(letter.id), text: '查看 Open' }),
      el('button', { type: 'button', class: 'requeue', onclick: (event) => requeue(letter.id, event.target) }, ['重新投递 Requeue']),
    ]),
  ]);
}

async function requeue(id, button) {
  button.disabled = true;
  try {
    const outcome = await api(id === 'all' ? 'dead-letters/requeue-all' : 'dead-letters/' + encodeURIComponent(id) + '/requeue', {});
    button.textContent = '已重新投递 requeued (' + outcome.count + ')';
    if (currentId !== undefined) location.hash = '#/dead-letters';
    lastList = '';
    await loadList();
  } catch (error) {
    button.disabled = false;
    button.textContent = '失败 failed: ' + error.message;
  }
}

async function loadList() {
  const data = await api('dead-letters');
  $('requeue-all').disabled = data.deadLetters.length === 0;
  const signature = JSON.stringify(data.deadLetters);
  if (signature === lastList) return;
  lastList = signature;
  replaceChildren($('dead-letter-list'), data.deadLetters.length ? data.deadLetters.map(letterCard) : [empty('没有死信 No dead letters.')]);
}

async function loadDetail(id) {
  const box = $('dead-letter-detail');
  try {
    const data = await api('dead-letters/' + encodeURIComponent(id));
    replaceChildren(box, [
      ...detailView({ ...data, now: Date.now() }, '#/dead-letters'),
      el('div', { class: 'actions sticky-actions' }, [el('button', { type: 'button', class: 'requeue', onclick: (event) => requeue(id, event.target) }, ['重新投递 Requeue'])]),
    ]);
  } catch (error) {
    replaceChildren(box, [el('a', { href: '#/dead-letters', class: 'back', text: '← 返回 Back' }), errorBox(error)]);
  }
}

export const deadLettersView = {
  async show(route) {
    currentId = route.id;
    const detail = route.id !== undefined;
    $('dead-letter-list').hidden = detail;
    $('requeue-all').hidden = detail;
    $('dead-letter-detail').hidden = !detail;
    if (detail) return loadDetail(route.id);
    lastList = '';
    return loadList();
  },
  async refresh() {
    if (currentId === undefined) await loadList();
  },
};

$('requeue-all').addEventListener('click', (event) => requeue('all', event.target));
