import type { Dispatcher } from 'undici';
import { redactUrl } from './redact';
import { undiciParts } from './undici-parts';

/**
 * WecomHttp is the one HTTP client that talks to WeCom (nothing else in the code touches undici).
 * Keep-alive connections, a hard timeout per call, an optional egress proxy (`wecom.proxy`, else
 * HTTPS_PROXY/https_proxy), and error texts with secrets redacted.
 */
export type HttpOutcome =
  | { kind: 'response'; status: number; text: string }
  | { kind: 'network'; error: string; timeout: boolean };

export interface WecomHttpOptions {
  timeoutMs: number;
  proxy?: string;
  env?: NodeJS.ProcessEnv;
}

/** Cap on response bytes read; WeCom answers are tiny, a proxy error page is not. */
const MAX_RESPONSE_BYTES = 64 * 1024;

export class WecomHttp {
  private readonly dispatcher: Dispatcher;

  constructor(private readonly options: WecomHttpOptions) {
    const env = options.env ?? process.env;
    const { Agent, EnvHttpProxyAgent, ProxyAgent } = undiciParts();
    if (options.proxy) this.dispatcher = new ProxyAgent(options.proxy);
    else if (env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy) this.dispatcher = new EnvHttpProxyAgent();
    else this.dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: 16 });
  }

  /** usesProxy tells whether calls go through a proxy (for send-test explanations). */
  get usesProxy(): boolean {
    return !(this.dispatcher instanceof undiciParts().Agent);
  }

  postJson(url: string, body: unknown): Promise<HttpOutcome> {
    return this.call(url, 'POST', JSON.stringify(body));
  }

  get(url: string): Promise<HttpOutcome> {
    return this.call(url, 'GET');
  }

  private async call(url: string, method: 'GET' | 'POST', body?: string): Promise<HttpOutcome> {
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    try {
      const target = new URL(url);
      const response = await undiciParts().request.call(this.dispatcher, {
        origin: target.origin,
        path: `${target.pathname}${target.search}`,
        method,
        body,
        headers: body === undefined ? undefined : { 'content-type': 'application/json; charset=utf-8' },
        signal,
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
      });
      const text = await readCapped(response.body);
      return { kind: 'response', status: response.statusCode, text };
    } catch (err) {
      const timeout = signal.aborted || /timeout/i.test(String((err as Error)?.name)) || /Timeout/.test(String((err as { code?: string })?.code));
      return { kind: 'network', error: redactUrl(describeNetworkError(err, timeout, this.options.timeoutMs)), timeout };
    }
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}

async function readCapped(body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buffer = chunk as Buffer;
    if (size + buffer.length > MAX_RESPONSE_BYTES) {
      chunks.push(buffer.subarray(0, MAX_RESPONSE_BYTES - size));
      body.destroy();
      break;
    }
    chunks.push(buffer);
    size += buffer.length;
  }
  return Buffer.concat(chunks).toString('utf8');
}

function describeNetworkError(err: unknown, timeout: boolean, timeoutMs: number): string {
  if (timeout) return `no answer from WeCom within ${timeoutMs} ms`;
  const error = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = error?.code ?? error?.cause?.code;
  const message = error?.cause?.message ?? error?.message ?? String(err);
  return code ? `${code}: ${message}` : message;
}
