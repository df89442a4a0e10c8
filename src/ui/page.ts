import type { Example } from './examples';
import { escapeHtml as e } from './html';

/**
 * The console page, rendered on the server with what is known when it loads (receivers, sources,
 * bundled examples, the time zone); console.js fills the tables from the JSON API and keeps them
 * current. Asset and API URLs are relative (the page lives at `/ui/`), so the console also works
 * behind a reverse proxy that mounts the service under a path prefix.
 */
export interface PageView {
  timezone: string;
  receivers: { name: string; kind: string; msgtype: string }[];
  sources: string[];
  examples: Example[];
  pollSeconds: number;
}

export function renderPage(view: PageView): string {
  const option = (value: string, label: string, attrs = '') => `<option value="${e(value)}"${attrs}>${e(label)}</option>`;
  const sources = view.sources.map((source) => option(source, source)).join('');
  const examples = view.examples.map((example) => option(example.name, example.name, ` data-source="${e(example.source)}"`)).join('');
  const receivers = view.receivers.map((receiver) => option(receiver.name, `${receiver.name} (${receiver.kind}, ${receiver.msgtype})`)).join('');
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>wecom-alert-adapter · 控制台</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="assets/console.css">
<script src="assets/console.js" defer></script>
</head>
<body data-poll-seconds="${view.pollSeconds}">
<header class="top">
  <div class="brand"><strong>wecom-alert-adapter</strong> <span class="muted">时区 ${e(view.timezone)}</span></div>
  <span id="live" class="live" role="status">连接中… connecting</span>
  <nav>
    <a href="#notifications">通知</a>
    <a href="#dead-letters">死信 <span id="dead-count" class="badge" hidden></span></a>
    <a href="#receivers">接收者</a>
    <a href="#playground">模板试验</a>
  </nav>
</header>
<main>
<section id="notifications">
  <h2>最近通知 <small>Recent notifications</small></h2>
  <p class="muted">最近 100 次发送，点击一行查看发出的原始请求体 (click a row for the exact body sent).</p>
  <div class="table-wrap">
  <table class="rows">
    <thead><tr><th>时间 Time</th><th>来源 Source</th><th>接收者 Receiver</th><th>状态 Status</th><th>errcode · 原因 Reason</th><th>告警 Alerts</th><th>字节 Bytes</th></tr></thead>
    <tbody id="delivery-rows"><tr class="empty"><td colspan="7">加载中… loading</td></tr></tbody>
  </table>
  </div>
</section>

<section id="dead-letters">
  <div class="section-head">
    <h2>死信 <small>Dead letters</small></h2>
    <button type="button" id="requeue-all" class="secondary" disabled>全部重新投递 Requeue all</button>
  </div>
  <p class="muted">永久失败的消息。修正原因后重新投递 (fix the cause, then requeue).</p>
  <ul id="dead-letter-list" class="letters"><li class="empty">加载中… loading</li></ul>
</section>

<section id="receivers">
  <h2>接收者 <small>Receivers</small></h2>
  <div id="receiver-list" class="cards"><p class="empty">加载中… loading</p></div>
</section>

<section id="playground">
  <h2>模板试验 <small>Template playground</small></h2>
  <p class="muted">只渲染，不发送 (dry run: nothing is sent or stored) — 与 <code>render</code> 命令相同。</p>
  <form id="playground-form" class="playground">
    <label>来源 Source <select name="source" id="pg-source">${sources}</select></label>
    <label>示例 Example <select name="example" id="pg-example"><option value="">— 粘贴 paste —</option>${examples}</select></label>
    <label>接收者 Receiver <select name="receiver" id="pg-receiver"><option value="">按路由表 by routing table</option>${receivers}</select></label>
    <label class="wide">Payload (JSON) <textarea name="payload" id="pg-payload" rows="10" spellcheck="false" autocomplete="off" placeholder='{"version":"4","status":"firing","alerts":[…]}'></textarea></label>
    <div class="wide"><button type="submit" id="pg-render">渲染 Render</button></div>
  </form>
  <div id="preview-result" aria-live="polite"></div>
</section>
</main>

<dialog id="delivery-dialog">
  <div class="dialog-head"><strong id="dialog-title">请求体 Body</strong><button type="button" id="dialog-close" class="secondary">关闭 Close</button></div>
  <div id="dialog-meta" class="muted"></div>
  <div id="dialog-preview" class="wecom"></div>
  <pre id="dialog-body" class="raw"></pre>
</dialog>
<noscript><p class="error">控制台需要 JavaScript (the console needs JavaScript); 命令行见 dead-letters / render / send-test。</p></noscript>
</body>
</html>
`;
}
