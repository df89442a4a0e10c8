'use strict';
/**
 * A small fake of the WeCom group-robot API for the benchmark (plain Node, no build step).
 *
 * POST /cgi-bin/webhook/send?key=K answers like WeCom: HTTP 200 with {"errcode":0,"errmsg":"ok"},
 * or errcode 45009 once a key has had more than `robotLimit.count` sends within `robotLimit.perMs`
 * (a sliding window over arrival times, as WeCom counts them), 40058 for markdown over 4096 bytes.
 * Options: a fixed reply latency, and `mode: 'hang'` (never answer) for backlog experiments.
 *
 * Used in-process (`startFakeWecom(options)`, with an `onSend` hook and optional recording) or as a
 * child process (`node bench/fake-wecom.js [--limit 20/1000] [--latency 5]`), which prints
 * `{"url": …}` on its first stdout line and serves its counters at GET /__stats.
 */
const http = require('node:http');
const { performance } = require('node:perf_hooks');

const LIMITS = { markdown: 4096, markdown_v2: 4096, text: 2048 };

function startFakeWecom(options = {}) {
  const { robotLimit, latencyMs = 0, mode = 'ok', record = false, onSend } = options;
  const windows = new Map();
  const hanging = new Set();
  const stats = { sends: 0, accepted: 0, rejected45009: 0, otherErrors: 0, bytes: 0 };
  const requests = [];

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const at = performance.now();
      const url = new URL(req.url || '/', 'http://fake');
      if (req.method === 'GET' && url.pathname === '/__stats') return json(res, 200, stats);
      if (req.method !== 'POST' || !url.pathname.endsWith('/cgi-bin/webhook/send')) return json(res, 404, { errcode: 404, errmsg: 'not found' });
      const text = Buffer.concat(chunks).toString('utf8');
      stats.sends++;
      let reply = robotReply(url.searchParams.get('key') || '', text);
      const entry = record ? { at, wall: Date.now(), text, body: safeParse(text), reply: undefined } : undefined;
      if (onSend) onSend({ at, text });
      if (mode === 'hang') {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        if (entry) requests.push(entry);
        return;
      }
      if (reply.errcode === 0) stats.accepted++;
      else if (reply.errcode === 45009) stats.rejected45009++;
      else stats.otherErrors++;
      if (entry) {
        entry.reply = reply;
        requests.push(entry);
      }
      if (latencyMs > 0) setTimeout(() => json(res, 200, reply), latencyMs);
      else json(res, 200, reply);
    });
  });
  server.keepAliveTimeout = 30_000;

  function robotReply(key, text) {
    const body = safeParse(text);
    if (!body || typeof body !== 'object') return { errcode: 40058, errmsg: 'invalid json' };
    const limit = LIMITS[body.msgtype];
    if (limit) {
      const content = body[body.msgtype] && body[body.msgtype].content;
      if (typeof content !== 'string' || content.length === 0) return { errcode: 44004, errmsg: 'empty content' };
      const bytes = Buffer.byteLength(content);
      if (bytes > limit) return { errcode: 40058, errmsg: `${body.msgtype}.content exceed max length ${limit}` };
      stats.bytes += bytes;
    }
    if (robotLimit) {
      const now = Date.now();
      const list = (windows.get(key) || []).filter((t) => now - t < robotLimit.perMs);
      list.push(now);
      windows.set(key, list);
      if (list.length > robotLimit.count) return { errcode: 45009, errmsg: 'api freq out of limit' };
    }
    return { errcode: 0, errmsg: 'ok' };
  }

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port || 0, '127.0.0.1', () => {
      const url = `http://127.0.0.1:${server.address().port}`;
      resolve({
        url,
        stats,
        requests,
        stop: () =>
          new Promise((done) => {
            for (const res of hanging) res.destroy();
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

function json(res, status, value) {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function safeParse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

module.exports = { startFakeWecom };

if (require.main === module) {
  const args = process.argv.slice(2);
  const arg = (name) => {
    const index = args.indexOf(name);
    return index >= 0 ? args[index + 1] : undefined;
  };
  const limit = arg('--limit');
  const options = {
    robotLimit: limit ? { count: Number(limit.split('/')[0]), perMs: Number(limit.split('/')[1]) } : undefined,
    latencyMs: Number(arg('--latency') || 0),
    mode: arg('--mode') || 'ok',
  };
  startFakeWecom(options).then((fake) => {
    process.stdout.write(`${JSON.stringify({ url: fake.url })}\n`);
    process.on('SIGTERM', () => fake.stop().then(() => process.exit(0)));
  });
}
