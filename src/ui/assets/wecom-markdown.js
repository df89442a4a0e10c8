/*
 * WeCom markdown → HTML, for the phone-width preview. The whole message is escaped first; only
 * then is the markdown subset WeCom supports turned into a fixed set of tags, so payload text can
 * never become markup.
 */
import { el } from './dom.js';

var ENTITIES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, function (char) {
    return ENTITIES[char];
  });
}

// Runs on already escaped text, so `<font …>` appears as `&lt;font …&gt;`. One left-to-right
// pass with one regex: a match's pieces are processed recursively but never re-scanned as a
// whole, so a generated tag can never be matched (and broken) by a later rule.
var INLINE = new RegExp(
  [
    '`([^`\\n]+)`', // inline code
    '\\[([^\\]\\n]+)\\]\\((https?:\\/\\/[^\\s)]+)\\)', // [text](http(s) url) — no other schemes
    '\\*\\*(.+?)\\*\\*', // **bold**
    '&lt;font color=(?:&quot;|&#39;)(info|comment|warning)(?:&quot;|&#39;)&gt;(.*?)&lt;\\/font&gt;',
    '&lt;@([^&\\s]+?)&gt;', // <@userid> mention
  ].join('|'),
  'g',
);

function inline(escaped) {
  return escaped.replace(INLINE, function (match, code, linkText, url, bold, color, colored, mention) {
    if (code !== undefined) return '<code>' + code + '</code>';
    if (url !== undefined) return '<a href="' + url + '" target="_blank" rel="noopener noreferrer">' + inline(linkText) + '</a>';
    if (bold !== undefined) return '<strong>' + inline(bold) + '</strong>';
    if (color !== undefined) return '<span class="wc-' + color + '">' + inline(colored) + '</span>';
    return '<span class="wc-mention">@' + mention + '</span>';
  });
}

/** wecomMarkdownToHtml: `#` headings, `> ` quotes, paragraphs, and the inline subset above. */
function wecomMarkdownToHtml(text) {
  var out = [];
  var paragraph = [];
  var quote = [];
  function flush() {
    if (paragraph.length) out.push('<p>' + paragraph.join('<br>') + '</p>');
    if (quote.length) out.push('<blockquote>' + quote.join('<br>') + '</blockquote>');
    paragraph = [];
    quote = [];
  }
  escapeHtml(text)
    .split(/\r?\n/)
    .forEach(function (line) {
      var heading = /^(#{1,6})\s+(.*)$/.exec(line);
      var quoted = /^&gt;\s?(.*)$/.exec(line);
      if (heading) {
        flush();
        var level = heading[1].length;
        out.push('<h' + level + '>' + inline(heading[2]) + '</h' + level + '>');
      } else if (quoted) {
        if (paragraph.length) flush();
        quote.push(inline(quoted[1]));
      } else if (line.trim() === '') {
        flush();
      } else {
        if (quote.length) flush();
        paragraph.push(inline(line));
      }
    });
  flush();
  return out.join('');
}

export { escapeHtml, wecomMarkdownToHtml };

function isMarkdown(msgtype) {
  return msgtype === 'markdown' || msgtype === 'markdown_v2';
}

/**
 * wecomFrame shows a message as a WeCom chat bubble inside a 375-px phone frame: markdown
 * rendered, anything else as plain text, with the byte meter against the receiver's limit.
 */
export function wecomFrame(message, title) {
  const bubble = el('div', { class: isMarkdown(message.msgtype) ? 'wecom' : 'wecom plain' });
  if (isMarkdown(message.msgtype)) bubble.innerHTML = wecomMarkdownToHtml(message.content);
  else bubble.textContent = message.content;
  return el('div', { class: 'phone' }, [
    el('div', { class: 'phone-bar' }, [el('span', { text: title || '群机器人 Robot' }), el('span', { class: 'muted', text: message.msgtype })]),
    el('div', { class: 'phone-chat' }, [el('div', { class: 'avatar', text: '机' }), bubble]),
    message.limit ? byteMeter(message.bytes, message.limit) : el('div', { class: 'meter-text muted', text: message.bytes + ' 字节 bytes' }),
  ]);
}

/** byteMeter: bytes used of the limit, amber over 90 %, red over the limit. */
export function byteMeter(bytes, limit) {
  const ratio = limit ? bytes / limit : 0;
  const level = ratio > 1 ? 'over' : ratio > 0.9 ? 'near' : 'ok';
  const fill = el('div', { class: 'meter-fill' });
  // CSSOM, not a style attribute: the CSP allows no inline styles.
  fill.style.width = Math.min(100, Math.round(ratio * 100)) + '%';
  return el('div', { class: 'meter meter-' + level }, [
    el('div', { class: 'meter-bar' }, [fill]),
    el('span', { class: 'meter-text', text: bytes + ' / ' + limit + ' 字节 bytes (' + Math.round(ratio * 100) + '%)' }),
  ]);
}
