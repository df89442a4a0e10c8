import type { Example } from './examples';
import { escapeHtml as e } from './html';

/**
 * The console page, rendered on the server with what is known when it loads (receivers, sources,
 * bundled examples, the time zone, the session's CSRF token); the view modules in assets/ fill it
 * from the JSON API. One section per view, shown by the hash route (`#/alerts`,
 * `#/notifications/42`, …) so every view and detail has a deep link. Asset and API URLs are
 * relative (the page lives at `/ui/`), so the console also works behind a path-prefix proxy.
 */
export interface PageView {
  timezone: string;
  receivers: { name: string; kind: string; msgtype: string }[];
  sources: string[];
  examples: Example[];
  pollSeconds: number;
  /** Browser sessions only: sent back in X-CSRF-Token on every state-changing request. */
  csrfToken?: string;
  /** Who signed in (session), shown beside the logout button. */
  user?: string;
}

const TABS: [string, string, string][] = [
  ['alerts', '告警', 'Alerts'],
  ['notifications', '通知', 'Notifications'],
  ['dead-letters', '死信', 'Dead letters'],
  ['templates', '模板', 'Templates'],
  ['receivers', '接收者', 'Receivers'],
  ['actions', '操作', 'Actions'],
];

export function renderPage(view: PageView): string {
  const option = (value: string, label: string, attrs = '') => `<option value="${e(value)}"${attrs}>${e(label)}</option>`;
  const sources = view.sources.map((source) => option(source, source)).join('');
  const examples = view.examples.map((example) => option(example.name, example.name, ` data-source="${e(example.source)}"`)).join('');
  const receivers = view.receivers.map((receiver) => option(receiver.name, `${receiver.name} (${receiver.kind}, ${receiver.msgtype})`)).join('');
  const anyReceiver = `<option value="">全部 all</option>${view.receivers.map((receiver) => option(receiver.name, receiver.name)).join('')}`;
  const anySource = `<option value="">全部 all</option>${sources}`;
  const tabs = TABS.map(([id, zh, en]) => `<a href="#/${id}" data-tab="${id}"><span class="zh">${zh}</span> <span class="en">${en}</span>${id === 'dead-letters' ? ' <span id="dead-count" class="badge" hidden></span>' : ''}</a>`).join('');
  const session = view.csrfToken
    ? `<span class="user muted">${e(view.user ?? '')}</span><button type="button" id="logout" class="secondary small">退出 <span class="en">Sign out</span></button>`
    : '';
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>wecom-alert-adapter · 控制台</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="assets/console.css">
${view.csrfToken ? `<meta name="csrf-token" content="${e(view.csrfToken)}">` : ''}
<script type="module" src="assets/app.js"></script>
</head>
<body data-poll-seconds="${view.pollSeconds}" data-timezone="${e(view.timezone)}">
<header class="top">
  <div class="brand"><strong>wecom-alert-adapter</strong> <span class="muted">时区 ${e(view.timezone)}</span></div>
  <span id="live" class="live" role="status">连接中… connecting</span>
  ${session}
  <nav class="tabs" aria-label="视图 Views">${tabs}</nav>
</header>
<main>
<section id="view-alerts" data-view="alerts" hidden>
  <h2 id="firing-heading">正在告警 <small>Firing now</small> <span id="firing-count" class="count"></span></h2>
  <div id="firing-list" class="alert-list"><p class="empty">加载中… loading</p></div>
  <h2 id="history-heading">告警历史 <small>Alert history</small></h2>
  <details class="filter-box" open><summary>搜索条件 Search filters</summary>
  <form id="history-form" class="filters">
    <label>名称 Name <input name="name" type="search" placeholder="MySQL" autocomplete="off"></label>
    <label class="wide">标签匹配 Label matchers <input name="matchers" placeholder='cluster="prod", instance=~"db-.*"' autocomplete="off" spellcheck="false"></label>
    <label>接收者 Receiver <select name="receiver">${anyReceiver}</select></label>
    <label>来源 Source <select name="source">${anySource}</select></label>
    <label>状态 Status <select name="status"><option value="">全部 all</option><option value="firing">告警中 firing</option><option value="resolved">已恢复 resolved</option></select></label>
    <label>从 From <input name="from" type="datetime-local"></label>
    <label>到 To <input name="to" type="datetime-local"></label>
    <div class="actions"><button type="submit">搜索 Search</button> <button type="reset" class="secondary">清除 Clear</button></div>
  </form>
  </details>
  <div id="history-result" aria-live="polite"></div>
</section>

<section id="view-notifications" data-view="notifications" hidden>
  <h2 id="notifications-heading">通知 <small>Notifications</small></h2>
  <details class="filter-box" id="notification-filters" open><summary>筛选 Filters</summary>
  <form id="notification-form" class="filters">
    <label>告警名称 Alert name <input name="name" type="search" autocomplete="off"></label>
    <label>接收者 Receiver <select name="receiver">${anyReceiver}</select></label>
    <label>状态 State <select name="state"><option value="">全部 all</option><option value="queued">排队 queued</option><option value="sending">发送中 sending</option><option value="retrying">重试中 retrying</option><option value="sent">已发送 sent</option><option value="dead">死信 dead</option></select></label>
    <label>来源 Source <select name="source">${anySource}<option value="api">api</option><option value="digest">digest</option></select></label>
    <label>从 From <input name="from" type="datetime-local"></label>
    <label>到 To <input name="to" type="datetime-local"></label>
    <input type="hidden" name="fingerprint">
    <div class="actions"><button type="submit">筛选 Filter</button> <button type="reset" class="secondary">清除 Clear</button></div>
  </form>
  </details>
  <p id="notification-filter-note" class="muted" hidden></p>
  <div id="notification-list"><p class="empty">加载中… loading</p></div>
  <div id="notification-detail" hidden></div>
</section>

<section id="view-dead-letters" data-view="dead-letters" hidden>
  <div class="section-head">
    <h2 id="dead-letters-heading">死信 <small>Dead letters</small></h2>
    <button type="button" id="requeue-all" class="secondary" disabled>全部重新投递 Requeue all</button>
  </div>
  <p class="muted">永久失败的消息：按提示修正原因后重新投递 (failed permanently: fix the cause as the hint says, then requeue).</p>
  <div id="dead-letter-list"><p class="empty">加载中… loading</p></div>
  <div id="dead-letter-detail" hidden></div>
</section>

<section id="view-templates" data-view="templates" hidden>
  <h2 id="templates-heading">模板编辑 <small>Template editor</small></h2>
  <p class="muted">只渲染，不发送 (dry run: nothing is sent) — 与 <code>render</code> / <code>check</code> 命令相同。</p>
  <div class="editor">
    <div class="editor-left">
      <label>模板 Template <select id="tpl-name"></select></label>
      <div id="tpl-origin" class="muted"></div>
      <textarea id="tpl-text" rows="18" spellcheck="false" autocomplete="off" aria-label="模板源码 Template source"></textarea>
      <div id="tpl-errors" class="tpl-errors" aria-live="polite"></div>
      <div class="actions"><button type="button" id="tpl-save" hidden>保存并重载 Save &amp; reload</button> <button type="button" id="tpl-download" class="secondary">下载 Download</button> <span id="tpl-save-note" class="muted"></span></div>
      <details id="tpl-payload-box" class="payload-box">
        <summary>示例数据 Payload</summary>
        <label>来源 Source <select id="pg-source">${sources}</select></label>
        <label>示例 Example <select id="pg-example"><option value="">— 粘贴 paste —</option>${examples}</select></label>
        <label>接收者 Receiver <select id="pg-receiver"><option value="">按路由表 by routing table</option>${receivers}</select></label>
        <textarea id="pg-payload" rows="10" spellcheck="false" autocomplete="off" aria-label="Payload (JSON)" placeholder='{"version":"4","status":"firing","alerts":[…]}'></textarea>
      </details>
    </div>
    <div class="editor-right">
      <div id="tpl-status" class="muted" aria-live="polite"></div>
      <div id="preview-result"></div>
    </div>
  </div>
</section>

<section id="view-receivers" data-view="receivers" hidden>
  <h2 id="receivers-heading">接收者 <small>Receivers</small></h2>
  <div id="unknown-receivers" aria-live="polite"></div>
  <div id="receiver-list" class="cards"><p class="empty">加载中… loading</p></div>
</section>

<section id="view-actions" data-view="actions" hidden>
  <h2 id="acks-heading">认领 <small>Acknowledgements</small> <span id="ack-count" class="count ok"></span></h2>
  <p class="muted">企业微信卡片上点击「认领」的记录 (who clicked 认领 Ack on a WeCom card, the first per alert episode).</p>
  <div id="ack-list"><p class="empty">加载中… loading</p></div>
  <h2 id="audit-heading">审计日志 <small>Audit log</small> <span id="refused-count" class="count"></span></h2>
  <p class="muted">卡片上的每次操作与拒绝 (every action from a card and every refusal), 最新在前 newest first.</p>
  <div id="audit-list"><p class="empty">加载中… loading</p></div>
</section>
</main>
<noscript><p class="error">控制台需要 JavaScript (the console needs JavaScript); 命令行见 dead-letters / render / send-test。</p></noscript>
</body>
</html>
`;
}
