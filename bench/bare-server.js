'use strict';
/**
 * The benchmark's baseline: a bare node:http server that does the least a webhook receiver can do —
 * read the body, JSON.parse it, answer 200 with a small JSON. With `--forward URL` it then posts
 * one robot markdown message carrying the body to URL (the fake WeCom) over a keep-alive agent:
 * the shortest possible "webhook in → message out" path, for the end-to-end latency baseline.
 *
 * `node bench/bare-server.js [--forward URL]` prints `{"url": …}` on its first stdout line.
 */
const http = require('node:http');

const args = process.argv.slice(2);
const forwardIndex = args.indexOf('--forward');
const forward = forwardIndex >= 0 ? new URL(args[forwardIndex + 1]) : undefined;
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

function send(text) {
  const body = JSON.stringify({ msgtype: 'markdown', markdown: { content: text.slice(0, 4000) } });
  const req = http.request(
    { host: forward.hostname, port: forward.port, path: `${forward.pathname}${forward.search}`, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
    (res) => res.resume(),
  );
  req.on('error', () => undefined);
  req.end(body);
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const text = Buffer.concat(chunks).toString('utf8');
    let alerts = 0;
    try {
      const body = JSON.parse(text);
      alerts = Array.isArray(body.alerts) ? body.alerts.length : 0;
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end('{"error":"invalid JSON"}');
      return;
    }
    const answer = JSON.stringify({ status: 'accepted', alerts, notifications: 1 });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) });
    res.end(answer);
    if (forward) send(text);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` })}\n`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
