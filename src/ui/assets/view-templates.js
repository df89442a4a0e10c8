/*
 * 模板 Templates: pick a template (built-in or override), edit it with a live (debounced) preview
 * in a phone-width WeCom-like frame, a byte meter against the receiver's limit, and errors with
 * line numbers; save into the templates directory when server.ui.edit_templates allows it,
 * otherwise download the file. Also the payload playground: any example or pasted payload.
 */
import { api } from './api.js';
import { $, el, replaceChildren, errorBox } from './dom.js';
import { wecomFrame } from './wecom-markdown.js';

const DEBOUNCE_MS = 350;
let meta;
let currentName;
let timer;
let sequence = 0;

function baseOf(name) {
  return name.startsWith('_partials/') ? undefined : name.replace(/\.[a-z]+\.hbs$/, '');
}

async function loadMeta() {
  if (meta) return meta;
  meta = await api('templates');
  replaceChildren(
    $('tpl-name'),
    meta.templates.map((template) => el('option', { value: template.name, text: template.name + (template.origin === 'override' ? '（覆盖 override）' : '（内置 built-in）') })),
  );
  $('tpl-save').hidden = !meta.canSave;
  $('tpl-save-note').textContent = meta.canSave
    ? '保存到 saves to ' + meta.directory + '/'
    : meta.editTemplates
      ? '未配置 templates 目录，只能下载 (no templates directory configured: download only)'
      : '保存已关闭 saving is off (server.ui.edit_templates: false) — 请下载 download instead';
  return meta;
}

async function pickExample(source) {
  const select = $('pg-example');
  const option = [...select.options].find((candidate) => candidate.dataset.source === source);
  if (!option) return;
  select.value = option.value;
  await loadExample();
}

async function loadExample() {
  const name = $('pg-example').value;
  if (!name) return;
  const example = await api('examples/' + encodeURIComponent(name));
  let text = example.payload;
  try {
    text = JSON.stringify(JSON.parse(example.payload), null, 2);
  } catch {
    // keep the file as it is
  }
  $('pg-payload').value = text;
  $('pg-source').value = example.source;
}

async function openTemplate(name) {
  const data = await api('templates/' + encodeURIComponent(name));
  currentName = name;
  $('tpl-name').value = name;
  $('tpl-text').value = data.text;
  $('tpl-origin').textContent = (data.origin === 'override' ? '覆盖 override' : '内置 built-in') + (data.variant ? ' · 变体 variant ' + data.variant : ' · 片段 partial');
  const base = baseOf(name);
  const source = ['alertmanager', 'grafana', 'kibana'].includes(base) ? base : $('pg-source').value || 'alertmanager';
  if (!$('pg-payload').value || $('pg-source').value !== source) await pickExample(source);
  // Preview on a receiver that renders this variant (else the engine would pick another file).
  const receiver = data.variant ? meta.receivers.find((candidate) => candidate.variant === data.variant) : undefined;
  $('pg-receiver').value = receiver ? receiver.name : '';
  await renderPreview();
}

function schedule() {
  clearTimeout(timer);
  $('tpl-status').textContent = '编辑中… editing';
  timer = setTimeout(renderPreview, DEBOUNCE_MS);
}

function showErrors(errors) {
  replaceChildren(
    $('tpl-errors'),
    errors.map((error) =>
      el('div', { class: 'error template-error' }, [
        error.line ? el('button', { type: 'button', class: 'link', onclick: () => goToLine(error.line) }, ['第 ' + error.line + ' 行 line ' + error.line]) : null,
        ' ' + error.message,
      ]),
    ),
  );
}

function goToLine(line) {
  const area = $('tpl-text');
  const lines = area.value.split('\n');
  const start = lines.slice(0, line - 1).join('\n').length + (line > 1 ? 1 : 0);
  area.focus();
  area.setSelectionRange(start, start + (lines[line - 1] || '').length);
}

async function renderPreview() {
  if (!currentName) return;
  const mine = ++sequence;
  $('tpl-status').textContent = '渲染中… rendering';
  try {
    const result = await api('templates/preview', { name: currentName, text: $('tpl-text').value, source: $('pg-source').value, receiver: $('pg-receiver').value || undefined, payload: $('pg-payload').value });
    if (mine !== sequence) return; // a newer edit is already on its way
    showErrors(result.errors);
    $('tpl-status').textContent = result.errors.length ? '有错误 errors — 预览未更新 preview not updated' : '预览已更新 preview updated';
    if (result.preview) replaceChildren($('preview-result'), previewParts(result.preview, result.capped));
  } catch (error) {
    if (mine !== sequence) return;
    $('tpl-status').textContent = '';
    showErrors([]);
    replaceChildren($('preview-result'), [errorBox(error)]);
  }
}

function previewParts(preview, capped) {
  const parts = [];
  if (capped) parts.push(el('p', { class: 'notice', text: '只预览前 ' + capped.previewed + ' 条告警（共 ' + capped.total + ' 条）(only the first ' + capped.previewed + ' of ' + capped.total + ' alerts are previewed)' }));
  parts.push(
    el('details', { class: 'routing' }, [
      el('summary', { text: '路由 Routing · ' + preview.source + ' · ' + preview.alerts.length + ' 条告警 alert(s)' }),
      preview.skipped ? el('div', { class: 'muted', text: '不会发送 not delivered: ' + preview.skipped }) : null,
      el(
        'ul',
        {},
        preview.alerts.map((alert) => el('li', { text: alert.name + ' [' + alert.status + '] → ' + (alert.receivers.length ? alert.receivers.join(', ') : '（无 nothing）') + ' via ' + alert.routes.join(', ') })),
      ),
    ]),
  );
  if (preview.notifications.length === 0) parts.push(el('p', { class: 'muted', text: '不会发送任何消息 No message would be sent.' }));
  for (const notification of preview.notifications) {
    parts.push(el('h3', { class: 'preview-title', text: notification.receiver + ' · 模板 template ' + notification.template + ' · ' + notification.messages.length + ' 条消息 message(s)' }));
    notification.messages.forEach((message, index) => {
      const flags = [message.truncated ? '已截断 truncated' : null, message.companion ? '提醒消息 mention companion' : null].filter(Boolean).join(' · ');
      parts.push(el('div', { class: 'preview-message' }, [el('div', { class: 'muted', text: '消息 message ' + (index + 1) + '/' + notification.messages.length + (flags ? ' · ' + flags : '') }), wecomFrame(message, notification.receiver)]));
    });
  }
  return parts;
}

async function save() {
  const button = $('tpl-save');
  button.disabled = true;
  try {
    const result = await api('templates/' + encodeURIComponent(currentName), { text: $('tpl-text').value });
    $('tpl-save-note').textContent = '已保存并重载 saved and reloaded: ' + result.saved;
    meta = undefined;
    await loadMeta();
  } catch (error) {
    $('tpl-save-note').textContent = '未保存 not saved: ' + error.message;
    if (error.data && error.data.errors) showErrors(error.data.errors);
  } finally {
    button.disabled = false;
  }
}

function download() {
  const blob = new Blob([$('tpl-text').value], { type: 'text/plain;charset=utf-8' });
  const link = el('a', { href: URL.createObjectURL(blob), download: currentName.split('/').pop() });
  document.body.appendChild(link);
  link.click();
  link.remove();
}

export const templatesView = {
  async show(route) {
    await loadMeta();
    const name = route.id && meta.templates.some((template) => template.name === route.id) ? route.id : currentName || 'alertmanager.md.hbs';
    if (name !== currentName) await openTemplate(name);
  },
};

$('tpl-name').addEventListener('change', (event) => (location.hash = '#/templates/' + encodeURIComponent(event.target.value)));
$('tpl-text').addEventListener('input', schedule);
$('pg-payload').addEventListener('input', schedule);
$('pg-source').addEventListener('change', schedule);
$('pg-receiver').addEventListener('change', schedule);
$('pg-example').addEventListener('change', () => loadExample().then(renderPreview, (error) => replaceChildren($('preview-result'), [errorBox(error)])));
$('tpl-save').addEventListener('click', save);
$('tpl-download').addEventListener('click', download);
