/*
 * wecom-alert-adapter web console. Plain browser JavaScript, no framework and no build step.
 * Data from the JSON API is always put into the page as text (textContent), never as HTML. The one
 * exception is the WeCom markdown preview, which escapes the whole message first and only then turns
 * the markdown subset WeCom supports into a fixed set of tags.
 */
(function () {
  'use strict';

  // ---------------------------------------------------------------------------------------------
  // WeCom markdown → HTML (the subset a robot message supports)

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

  // Node (jest) loads this file to test the renderer; the browser runs the console.
  if (typeof module === 'object' && module.exports) module.exports = { escapeHtml: escapeHtml, wecomMarkdownToHtml: wecomMarkdownToHtml };
  if (typeof document === 'undefined') return;

  // ---------------------------------------------------------------------------------------------
  // Small DOM helpers: every piece of data becomes a text node.

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === undefined || value === null || value === false) return;
      if (key === 'text') node.textContent = String(value);
      else if (key === 'onclick') node.addEventListener('click', value);
      else node.setAttribute(key, value === true ? '' : String(value));
    });
    (children || []).forEach(function (child) {
      if (child === undefined || child === null || child === false) return;
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return node;
  }

  function $(id) {
    return document.getElementById(id);
  }

  function replaceChildren(node, children) {
    node.textContent = '';
    children.forEach(function (child) {
      node.appendChild(child);
    });
  }

  /** api calls the console's JSON API (relative to /ui/); a non-2xx answer throws with its error and path. */
  function api(path, body) {
    var options = { credentials: 'same-origin', headers: { Accept: 'application/json' } };
    if (body !== undefined) {
      options.method = 'POST';
      options.headers['Content-Type'] = 'application/json';
      options.body = JSON.stringify(body);
    }
    return fetch('api/' + path, options).then(function (response) {
      return response
        .json()
        .catch(function () {
          return { error: 'HTTP ' + response.status + ' ' + response.statusText };
        })
        .then(function (data) {
          if (response.ok) return data;
          var error = new Error(data.error || 'HTTP ' + response.status);
          error.status = response.status;
          error.path = data.path;
          throw error;
        });
    });
  }

  function isMarkdown(msgtype) {
    return msgtype === 'markdown' || msgtype === 'markdown_v2';
  }

  /** wecomView shows a message the way WeCom would: markdown rendered, anything else as plain text. */
  function wecomView(msgtype, content) {
    var node = el('div', { class: isMarkdown(msgtype) ? 'wecom' : 'wecom plain' });
    if (isMarkdown(msgtype)) node.innerHTML = wecomMarkdownToHtml(content);
    else node.textContent = content;
    return node;
  }

  // ---------------------------------------------------------------------------------------------
  // Live panels: recent notifications, dead letters, receivers (polled)

  var seen = { maxDeliveryId: null, signatures: {} };
  var testResults = {};
  var testing = {};
  var refreshing = false;

  /** changed: skip re-rendering a panel whose data did not change (no flicker, selection kept). */
  function changed(panel, data) {
    var signature = JSON.stringify(data);
    if (seen.signatures[panel] === signature) return false;
    seen.signatures[panel] = signature;
    return true;
  }

  function refresh() {
    if (refreshing) return Promise.resolve();
    refreshing = true;
    return Promise.all([api('deliveries'), api('dead-letters'), api('receivers')])
      .then(function (results) {
        renderDeliveries(results[0].deliveries);
        renderDeadLetters(results[1].deadLetters);
        renderReceivers(results[2].receivers);
        setLive('已更新 updated ' + new Date().toLocaleTimeString(), true);
      })
      .catch(function (error) {
        setLive(error.status === 401 ? '需要登录 credentials required (401)' : '更新失败 update failed: ' + error.message, false);
      })
      .then(function () {
        refreshing = false;
      });
  }

  function setLive(text, ok) {
    var live = $('live');
    live.textContent = text;
    live.className = ok ? 'live ok' : 'live bad';
  }

  // One wrapper per cell: on a phone the cell becomes "label | value" and the value stays one block.
  function cell(label, children, cls) {
    return el('td', { 'data-label': label, class: cls }, [el('div', {}, children)]);
  }

  function renderDeliveries(rows) {
    var previousMax = seen.maxDeliveryId;
    rows.forEach(function (row) {
      if (seen.maxDeliveryId === null || row.id > seen.maxDeliveryId) seen.maxDeliveryId = row.id;
    });
    if (!changed('deliveries', rows)) return;
    var body = $('delivery-rows');
    if (rows.length === 0) {
      replaceChildren(body, [el('tr', { class: 'empty' }, [el('td', { colspan: 7, text: '还没有发送记录 No deliveries yet' })])]);
      return;
    }
    replaceChildren(
      body,
      rows.map(function (row) {
        var reason = [row.errcode ? String(row.errcode) : '', row.reason || ''].join(' ').trim();
        var tr = el('tr', { 'data-id': row.id, 'data-status': row.status, class: previousMax !== null && row.id > previousMax ? 'fresh' : null, title: row.hint || row.error || null }, [
          cell('时间 Time', [row.time]),
          cell('来源 Source', [row.source]),
          cell('接收者 Receiver', [row.receiver]),
          cell('状态 Status', [el('span', { class: 'status status-' + row.status, text: row.status })]),
          cell('errcode · 原因', [reason || '—', row.error ? el('div', { class: 'reason', text: row.error }) : null]),
          cell('告警 Alerts', [String(row.alertCount)], 'num'),
          cell('字节 Bytes', [String(row.bytes)], 'num'),
        ]);
        tr.addEventListener('click', function () {
          openDelivery(row.id);
        });
        return tr;
      }),
    );
  }

  function openDelivery(id) {
    api('deliveries/' + encodeURIComponent(id))
      .then(function (detail) {
        var parsed = null;
        try {
          parsed = JSON.parse(detail.body);
        } catch (ignored) {
          parsed = null;
        }
        var content = parsed && parsed[parsed.msgtype] && typeof parsed[parsed.msgtype].content === 'string' ? parsed[parsed.msgtype].content : null;
        $('dialog-title').textContent = '请求体 Body · ' + detail.receiver + ' · ' + detail.time;
        $('dialog-meta').textContent = detail.status + (detail.errcode ? ' · errcode ' + detail.errcode : '') + ' · ' + detail.msgtype + ' · ' + detail.bytes + ' B' + (detail.hint ? ' · ' + detail.hint : '');
        replaceChildren($('dialog-preview'), content !== null ? [wecomView(detail.msgtype, content)] : []);
        $('dialog-body').textContent = parsed ? JSON.stringify(parsed, null, 2) : detail.body;
        $('delivery-dialog').showModal();
      })
      .catch(function (error) {
        setLive(error.message, false);
      });
  }

  function renderDeadLetters(letters) {
    var badge = $('dead-count');
    badge.hidden = letters.length === 0;
    badge.textContent = String(letters.length);
    $('requeue-all').disabled = letters.length === 0;
    if (!changed('dead', letters)) return;
    var list = $('dead-letter-list');
    if (letters.length === 0) {
      replaceChildren(list, [el('li', { class: 'empty', text: '没有死信 No dead letters' })]);
      return;
    }
    replaceChildren(
      list,
      letters.map(function (letter) {
        return el('li', { 'data-id': letter.id }, [
          el('div', { class: 'what' }, [
            el('strong', { text: letter.receiver }),
            ' · ' + letter.source + ' · ' + letter.failedTime + ' · ' + letter.alerts + ' 条告警 alert(s) · 尝试 ' + letter.attempts + ' 次 attempts · id ' + letter.id,
            el('div', { class: 'hint' }, [el('span', { class: 'status status-dead', text: letter.errcode !== undefined ? 'errcode ' + letter.errcode : letter.reason }), ' ', letter.hint]),
            // The full error (with WeCom's errmsg) only on demand: the hint above already says what to fix.
            letter.error && letter.error !== letter.hint ? el('details', { class: 'detail' }, [el('summary', { text: '详情 details' }), el('div', { text: letter.error })]) : null,
          ]),
          el('button', {
            type: 'button',
            class: 'secondary requeue',
            text: '重新投递 Requeue',
            onclick: function (event) {
              requeue(letter.id, event.currentTarget);
            },
          }),
        ]);
      }),
    );
  }

  function requeue(id, button) {
    if (button) button.disabled = true;
    api(id === 'all' ? 'dead-letters/requeue-all' : 'dead-letters/' + encodeURIComponent(id) + '/requeue', {})
      .then(function (outcome) {
        setLive(outcome.message, true);
      })
      .catch(function (error) {
        setLive(error.message, false);
      })
      .then(refresh);
  }

  var lastReceivers = [];

  function renderReceivers(receivers) {
    lastReceivers = receivers;
    if (!changed('receivers', { receivers: receivers, testResults: testResults, testing: testing })) return;
    replaceChildren(
      $('receiver-list'),
      receivers.map(function (receiver) {
        var rate = receiver.rateLimit ? receiver.rateLimit.used + ' / ' + receiver.rateLimit.count + ' 每 per ' + receiver.rateLimit.per : '不限 unlimited';
        var success = receiver.lastSuccess;
        var failure = receiver.lastError;
        var result = testResults[receiver.name];
        return el('div', { class: 'card', 'data-receiver': receiver.name }, [
          el('h3', { text: receiver.name }),
          el('div', { class: 'muted', text: receiver.kind + ' · ' + receiver.msgtype + ' · 上限 limit ' + receiver.limit + ' B' }),
          el('dl', {}, [
            el('dt', { text: '频率 Rate' }),
            el('dd', { class: 'rate', text: rate }),
            el('dt', { text: '排队 Queued' }),
            el('dd', { class: 'queued', text: String(receiver.queued) }),
            el('dt', { text: '死信 Dead' }),
            el('dd', { text: String(receiver.dead) }),
            el('dt', { text: '最近成功 Last OK' }),
            el('dd', { text: success ? success.time : '—' }),
            el('dt', { text: '最近错误 Last error' }),
            el('dd', { class: 'last-error' }, failure ? [failure.time + ' · ' + failure.status + (failure.errcode !== undefined ? ' · errcode ' + failure.errcode : '') + ' · ' + (failure.hint || failure.error || failure.reason || '')] : ['—']),
          ]),
          el('button', {
            type: 'button',
            class: 'secondary send-test',
            disabled: Boolean(testing[receiver.name]),
            text: testing[receiver.name] ? '发送中… sending' : '发送测试消息 Send test message',
            onclick: function () {
              sendTestMessage(receiver.name);
            },
          }),
          result
            ? el(
                'ul',
                { class: result.ok ? 'lines ok' : 'lines bad' },
                result.lines.map(function (line) {
                  return el('li', { text: line });
                }),
              )
            : null,
        ]);
      }),
    );
  }

  function sendTestMessage(name) {
    testing[name] = true;
    renderReceivers(lastReceivers);
    api('receivers/' + encodeURIComponent(name) + '/test', {})
      .then(function (result) {
        testResults[name] = result;
      })
      .catch(function (error) {
        testResults[name] = { ok: false, lines: [error.message] };
      })
      .then(function () {
        delete testing[name];
        renderReceivers(lastReceivers);
        return refresh();
      });
  }

  // ---------------------------------------------------------------------------------------------
  // Template playground

  function loadExample() {
    var select = $('pg-example');
    if (!select.value) return;
    api('examples/' + encodeURIComponent(select.value))
      .then(function (example) {
        var text = example.payload;
        try {
          text = JSON.stringify(JSON.parse(example.payload), null, 2);
        } catch (ignored) {
          // keep the file as it is
        }
        $('pg-payload').value = text;
        $('pg-payload').scrollTop = 0;
        $('pg-source').value = example.source;
      })
      .catch(showPreviewError);
  }

  function renderPreview(event) {
    event.preventDefault();
    var request = { source: $('pg-source').value, receiver: $('pg-receiver').value || undefined, payload: $('pg-payload').value };
    replaceChildren($('preview-result'), [el('p', { class: 'muted', text: '渲染中… rendering' })]);
    api('preview', request).then(showPreview).catch(showPreviewError);
  }

  function showPreviewError(error) {
    replaceChildren($('preview-result'), [
      el('div', { class: 'error preview-error' }, [
        el('strong', { text: (error.status ? error.status + ' ' : '') + error.message }),
        error.path ? el('div', {}, ['位置 path: ', el('code', { class: 'error-path', text: error.path })]) : null,
      ]),
    ]);
  }

  function showPreview(preview) {
    var parts = [];
    parts.push(
      el('div', { class: 'routing' }, [
        el('strong', { text: '路由 Routing · ' + preview.source + ' · ' + preview.alerts.length + ' 条告警 alert(s)' }),
        preview.skipped ? el('div', { class: 'muted', text: '不会发送 not delivered: ' + preview.skipped }) : null,
        el(
          'ul',
          {},
          preview.alerts.map(function (alert) {
            var to = alert.receivers.length ? alert.receivers.join(', ') : '（无 nothing）';
            var suppressed = alert.suppressed.length ? '（send_resolved: false → 不发送给 ' + alert.suppressed.join(', ') + '）' : '';
            return el('li', { text: alert.name + ' [' + alert.status + '] → ' + to + ' via ' + alert.routes.join(', ') + suppressed });
          }),
        ),
      ]),
    );
    if (preview.notifications.length === 0) parts.push(el('p', { class: 'muted', text: '不会发送任何消息 No message would be sent.' }));
    preview.notifications.forEach(function (notification) {
      parts.push(el('h3', { text: notification.receiver + '（' + notification.kind + '，模板 template ' + notification.template + '）: ' + notification.messages.length + ' 条消息 message(s)' }));
      notification.messages.forEach(function (message, index) {
        var flags = [message.truncated ? '已截断 TRUNCATED' : null, message.companion ? '提醒消息 mention companion' : null].filter(Boolean).join(' · ');
        parts.push(
          el('div', { class: 'message', 'data-receiver': notification.receiver }, [
            el('div', { class: 'message-head' }, [
              el('strong', { text: (index + 1) + '/' + notification.messages.length }),
              el('span', { text: message.msgtype }),
              el('span', { text: message.alertCount + ' 条告警 alert(s)' }),
              el('meter', { min: 0, max: message.limit, high: Math.floor(message.limit * 0.9), value: message.bytes }),
              el('span', { class: message.bytes > message.limit ? 'bytes over' : 'bytes', 'data-bytes': message.bytes, 'data-limit': message.limit, text: message.bytes + ' / ' + message.limit + ' B' }),
              flags ? el('span', { class: 'reason', text: flags }) : null,
            ]),
            el('div', { class: 'side' }, [
              el('div', { class: 'rendered' }, [el('h4', { text: '企业微信中显示 As shown in WeCom' }), wecomView(message.msgtype, message.content)]),
              el('div', {}, [el('h4', { text: '原文 Raw text' }), el('pre', { class: 'raw', text: message.content })]),
            ]),
            el('details', {}, [el('summary', { class: 'muted', text: '请求体 Request body' }), el('pre', { class: 'raw', text: JSON.stringify(message.body, null, 2) })]),
          ]),
        );
      });
    });
    replaceChildren($('preview-result'), parts);
  }

  // ---------------------------------------------------------------------------------------------

  function start() {
    var seconds = Number(document.body.getAttribute('data-poll-seconds')) || 3;
    $('requeue-all').addEventListener('click', function (event) {
      requeue('all', event.currentTarget);
    });
    $('dialog-close').addEventListener('click', function () {
      $('delivery-dialog').close();
    });
    $('pg-example').addEventListener('change', loadExample);
    $('playground-form').addEventListener('submit', renderPreview);
    document.addEventListener('visibilitychange', function () {
      if (!document.hidden) refresh();
    });
    // Poll only while the tab is visible: a console left open on a phone should not drain it.
    setInterval(function () {
      if (!document.hidden) refresh();
    }, seconds * 1000);
    refresh();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
