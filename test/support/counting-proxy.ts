import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * CountingProxy sits between real senders and the adapter on loopback: it records every webhook
 * (which sender posted it — the body's `externalURL` — what it carried, and the adapter's answer)
 * and forwards it unchanged (method, path, body, Content-Type, Authorization, User-Agent).
 * `holdMs` holds each request before forwarding it; for an Alertmanager HA pair that keeps the
 * first member's notification-log entry (written after its send succeeds) from reaching its peer
 * before the peer's own flush, so both members really send (what happens whenever the pair's
 * webhook receiver is slower than the gossip).
 */
export interface ProxiedRequest {
  at: number;
  path: string;
  /** The parsed JSON body (undefined when it is not JSON). */
  body: any;
  /** The adapter's HTTP status (undefined while forwarding). */
  status?: number;
  answer?: string;
}

export class CountingProxy {
  readonly requests: ProxiedRequest[] = [];
  private server?: Server;
  url = '';

  constructor(
    private readonly target: string,
    private readonly holdMs = 0,
  ) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.forward(req).then(
        ({ status, text, type }) => res.writeHead(status, { 'content-type': type }).end(text),
        (err: Error) => res.writeHead(502, { 'content-type': 'text/plain' }).end(`proxy: ${err.message}`),
      );
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections();
  }

  /** answered: the recorded requests the adapter has answered. */
  answered(): ProxiedRequest[] {
    return this.requests.filter((request) => request.status !== undefined);
  }

  private async forward(req: IncomingMessage): Promise<{ status: number; text: string; type: string }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const record: ProxiedRequest = { at: Date.now(), path: req.url ?? '/', body: parse(raw) };
    this.requests.push(record);
    if (this.holdMs > 0) await new Promise((resolve) => setTimeout(resolve, this.holdMs));
    const headers: Record<string, string> = {};
    for (const name of ['content-type', 'authorization', 'user-agent']) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const res = await fetch(`${this.target}${record.path}`, { method: req.method, headers, body: raw.length > 0 ? raw : undefined });
    const text = await res.text();
    record.status = res.status;
    record.answer = text;
    return { status: res.status, text, type: res.headers.get('content-type') ?? 'text/plain' };
  }
}

function parse(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}
