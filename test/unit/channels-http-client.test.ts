import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { WecomHttp } from '../../src/channels/http-client';

/**
 * WecomHttp (undici) against real loopback servers: direct calls over a keep-alive agent, calls
 * through a proxy (wecom.proxy or the environment), timeouts, refused connections and the response cap.
 */
interface Seen {
  method?: string;
  url?: string;
  headers: IncomingMessage['headers'];
  body: string;
}

function listen(server: Server): Promise<string> {
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((done) => server.close(() => done()));
}

describe('WecomHttp', () => {
  let server: Server;
  let base: string;
  let seen: Seen[];
  let connections: number;
  let reply: (res: ServerResponse) => void;
  const clients: WecomHttp[] = [];
  const client = (options: ConstructorParameters<typeof WecomHttp>[0]) => {
    const http = new WecomHttp({ env: {}, ...options });
    clients.push(http);
    return http;
  };

  beforeEach(async () => {
    seen = [];
    connections = 0;
    reply = (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"errcode":0,"errmsg":"ok"}');
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        reply(res);
      });
    });
    server.on('connection', () => connections++);
    base = await listen(server);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((http) => http.close()));
    await close(server);
  });

  it('posts JSON directly and answers with the status and text, reusing keep-alive connections', async () => {
    const http = client({ timeoutMs: 2000 });
    expect(http.usesProxy).toBe(false);
    const body = { msgtype: 'markdown', markdown: { content: '## 告警 NodeDown' } };
    expect(await http.postJson(`${base}/cgi-bin/webhook/send?key=k1`, body)).toEqual({ kind: 'response', status: 200, text: '{"errcode":0,"errmsg":"ok"}' });
    expect(await http.get(`${base}/cgi-bin/gettoken?corpid=c`)).toEqual({ kind: 'response', status: 200, text: '{"errcode":0,"errmsg":"ok"}' });
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/cgi-bin/webhook/send?key=k1', body: JSON.stringify(body) });
    expect(seen[0].headers['content-type']).toBe('application/json; charset=utf-8');
    expect(seen[0].headers['content-length']).toBe(String(Buffer.byteLength(JSON.stringify(body))));
    expect(seen[1]).toMatchObject({ method: 'GET', url: '/cgi-bin/gettoken?corpid=c', body: '' });
    for (let i = 0; i < 6; i++) await http.postJson(`${base}/cgi-bin/webhook/send?key=k1`, body);
    // Kept alive: eight calls, not eight connections (undici may open a second while the first finishes).
    expect(connections).toBeLessThanOrEqual(2);
  });

  it('passes non-2xx answers through as responses', async () => {
    reply = (res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<html>bad gateway</html>');
    expect(await client({ timeoutMs: 2000 }).postJson(`${base}/x`, {})).toEqual({ kind: 'response', status: 502, text: '<html>bad gateway</html>' });
  });

  it('reads at most 64 KiB of an answer', async () => {
    reply = (res) => res.writeHead(200).end('x'.repeat(200 * 1024));
    const outcome = await client({ timeoutMs: 2000 }).get(`${base}/big`);
    expect(outcome).toMatchObject({ kind: 'response', status: 200 });
    expect(outcome.kind === 'response' && outcome.text.length).toBe(64 * 1024);
  });

  it('gives up on a server that does not answer within the timeout', async () => {
    reply = () => undefined; // never answers
    const started = Date.now();
    expect(await client({ timeoutMs: 200 }).postJson(`${base}/hang`, {})).toEqual({ kind: 'network', error: 'no answer from WeCom within 200 ms', timeout: true });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('reports a refused connection with its code, not as a timeout, with the key redacted', async () => {
    const closed = createServer();
    const url = await listen(closed);
    await close(closed);
    const outcome = await client({ timeoutMs: 2000 }).postJson(`${url}/cgi-bin/webhook/send?key=secret-key`, {});
    expect(outcome).toMatchObject({ kind: 'network', timeout: false });
    expect(outcome.kind === 'network' && outcome.error).toMatch(/^ECONNREFUSED: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
    expect(JSON.stringify(outcome)).not.toContain('secret-key');
  });

  describe('through a proxy', () => {
    let proxy: Server;
    let proxyUrl: string;
    let tunnels: string[];
    const sockets = new Set<Socket>();
    beforeEach(async () => {
      tunnels = [];
      proxy = createServer((_req, res) => res.writeHead(405).end());
      proxy.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => {
        tunnels.push(String(req.url));
        sockets.add(socket);
        const [host, port] = String(req.url).split(':');
        const upstream = connect(Number(port), host, () => {
          socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
          upstream.write(head);
          upstream.pipe(socket).pipe(upstream);
        });
        upstream.on('error', () => socket.destroy());
        socket.on('error', () => upstream.destroy());
      });
      proxyUrl = await listen(proxy);
    });
    afterEach(async () => {
      // Tunnels are no longer HTTP connections: end them, or close() waits for the client's keep-alive.
      sockets.forEach((socket) => socket.destroy());
      sockets.clear();
      await close(proxy);
    });

    it('tunnels through wecom.proxy', async () => {
      const http = client({ timeoutMs: 2000, proxy: proxyUrl });
      expect(http.usesProxy).toBe(true);
      expect(await http.postJson(`${base}/cgi-bin/webhook/send?key=k1`, { a: 1 })).toEqual({ kind: 'response', status: 200, text: '{"errcode":0,"errmsg":"ok"}' });
      expect(tunnels).toEqual([new URL(base).host]);
      expect(seen[0]).toMatchObject({ method: 'POST', body: '{"a":1}' });
    });

    it('uses the proxy of the environment (HTTP_PROXY for an http:// API base)', async () => {
      // undici's EnvHttpProxyAgent reads process.env itself (HTTP_PROXY, HTTPS_PROXY, NO_PROXY).
      const saved = process.env.HTTP_PROXY;
      process.env.HTTP_PROXY = proxyUrl;
      try {
        const http = client({ timeoutMs: 2000, env: { HTTP_PROXY: proxyUrl } });
        expect(http.usesProxy).toBe(true);
        expect(await http.get(`${base}/cgi-bin/gettoken`)).toMatchObject({ kind: 'response', status: 200 });
        expect(tunnels).toEqual([new URL(base).host]);
      } finally {
        if (saved === undefined) delete process.env.HTTP_PROXY;
        else process.env.HTTP_PROXY = saved;
      }
    });
  });
});
