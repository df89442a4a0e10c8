'use strict';
/**
 * WeCom message → HTML, for looking at messages as a phone shows them (npm run gallery). Only what
 * WeCom renders is rendered: markdown's headings, bold, links, `> ` quotes, inline code and
 * `<font color="info|comment|warning">` (wecom-api.md §1.4); text messages as plain text; textcard
 * descriptions with their three `<div class>` styles. Everything is escaped first, then the subset
 * is turned back into markup, so a payload cannot inject HTML into the gallery either.
 */
const escapeHtml = (text) => text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]);

function inline(line) {
  return line
    .replace(/&lt;font color=&quot;(info|comment|warning)&quot;&gt;([\s\S]*?)&lt;\/font&gt;/g, '<span class="c-$1">$2</span>')
    .replace(/\*\*([^*]+?)\*\*/g, '<b>$1</b>')
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\[([^\]]+)\]\((https?:[^)\s]+)\)/g, '<a>$1</a>')
    .replace(/&lt;@([^&]+)&gt;/g, '<span class="at">@$1</span>');
}

/** markdownHtml renders robot/app markdown. */
function markdownHtml(content) {
  return escapeHtml(content)
    .split('\n')
    .map((line) => {
      const heading = /^(#{1,6}) (.*)$/.exec(line);
      if (heading) return `<div class="h${heading[1].length}">${inline(heading[2])}</div>`;
      if (line.startsWith('&gt; ') || line === '&gt;') return `<div class="quote">${inline(line.replace(/^&gt; ?/, '')) || '&nbsp;'}</div>`;
      return line === '' ? '<div class="blank"></div>' : `<div>${inline(line)}</div>`;
    })
    .join('');
}

/** textHtml renders a text message (no markup at all; WeCom keeps line breaks). */
function textHtml(content) {
  return `<div class="plain">${escapeHtml(content)}</div>`;
}

/** textcardHtml renders an app textcard: title, description divs, the 详情 link row. */
function textcardHtml(title, description) {
  const body = escapeHtml(description).replace(/&lt;div class=&quot;(gray|normal|highlight)&quot;&gt;([\s\S]*?)&lt;\/div&gt;/g, '<div class="tc-$1">$2</div>');
  return `<div class="card"><div class="tc-title">${escapeHtml(title)}</div>${body}<div class="tc-more">详情</div></div>`;
}

/** bubble: one message as WeCom draws it, with its byte count under it. */
function bubble(message, format) {
  let inner;
  if (format.variant === 'textcard' || format.variant === 'news' || format.variant === 'card') inner = textcardHtml(message.title ?? '', message.content);
  else if (format.variant === 'text') inner = textHtml(message.content);
  else inner = markdownHtml(message.content);
  const bytes = `${message.bytes} / ${message.companion ? 2048 : format.limit} B · ${message.msgtype}${message.companion ? ' · 提醒' : ''}`;
  return `<div class="row"><div class="avatar">🤖</div><div><div class="name">告警机器人</div><div class="bubble">${inner}</div><div class="meta">${bytes}</div></div></div>`;
}

const CSS = `
body{margin:0;background:#ededed;font:15px/1.5 "Noto Sans CJK SC","PingFang SC",sans-serif;color:#191919;width:375px}
.top{background:#f7f7f7;border-bottom:1px solid #ddd;padding:12px 14px;font-weight:600;text-align:center}
.sub{font-size:11px;color:#888;font-weight:400}
.row{display:flex;gap:8px;padding:10px 10px 4px}
.avatar{width:36px;height:36px;border-radius:6px;background:#4a90e2;display:flex;align-items:center;justify-content:center;flex:none}
.name{font-size:12px;color:#888;margin-bottom:2px}
.bubble{background:#fff;border-radius:6px;padding:9px 11px;width:290px;box-sizing:border-box;word-break:break-word;overflow-wrap:anywhere}
.meta{font-size:10px;color:#aaa;margin-top:2px}
.h1,.h2,.h3{font-weight:700;font-size:16px;margin:0 0 2px}.h4,.h5,.h6{font-weight:700}
.quote{color:#666;border-left:3px solid #ddd;padding-left:6px}
.blank{height:8px}
.c-info{color:#07c160}.c-comment{color:#999}.c-warning{color:#fa5151}
a{color:#576b95}code{background:#f3f3f3;padding:0 3px}
.at{color:#576b95}
.plain{white-space:pre-wrap}
.card .tc-title{font-weight:700;font-size:16px;margin-bottom:6px}
.tc-gray{color:#999;font-size:13px}.tc-normal{color:#333}.tc-highlight{color:#fa9d3b}
.tc-more{border-top:1px solid #eee;margin-top:8px;padding-top:6px;color:#576b95;font-size:13px}
`;

/** page: a chat screen with every message of one fixture and format. */
function page(title, subtitle, messages, format) {
  return `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><style>${CSS}</style><body><div class="top">${escapeHtml(title)}<div class="sub">${escapeHtml(subtitle)}</div></div>${messages.map((m) => bubble(m, format)).join('')}<div style="height:10px"></div></body></html>`;
}

module.exports = { markdownHtml, textHtml, textcardHtml, page, escapeHtml };
