import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * FakeWecom is a real HTTP server on an ephemeral loopback port that behaves like the WeCom APIs
 * the adapter uses: robot `webhook/send`, `gettoken`, app `message/send`. It records every request
 * (method, path, query, parsed JSON body), can enforce the robot's 20/min limit with 45009 like
 * WeCom, and lets a test script replies per request (`{errcode: 0}`, then HTTP 500, then 42001 …).
 */
export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: any;
  at: number;
  /** What the fake answered (undefined while hanging). */
  reply?: Reply;
}

/** A scripted reply: JSON with HTTP 200, a raw status/body, a hang, or a closed connection. */
export type Reply =
  | { json: Record<string, unknown>; status?: number; delayMs?: number }
  | { status: number; text: string }
  | { hang: true }
  | { destroy: true };

export type Responder = (request: RecordedRequest) => Reply | undefined;

export interface FakeWecomOptions {
  /** Robot rate limit enforced per key: more than `count` sends within `perMs` → errcode 45009. */
  robotLimit?: { count: number; perMs: number };
  /** Valid robot keys; others get 93000. Default: any key is valid. */
  robotKeys?: string[];
  /** App credentials: corpsecret → {corpid}; wrong ones get 40001. */
  apps?: Record<string, { corpid: string }>;
  /** Token lifetime in seconds returned by gettoken. */
  tokenExpiresIn?: number;
  /** App recipients WeCom should report as invalid (partial delivery; all invalid → 81013). */
  invalidRecipients?: { users?: string[]; parties?: string[]; tags?: string[] };
}

export class FakeWecom {
  readonly requests: RecordedRequest[] = [];
  private server?: Server;
  private responders: Responder[] = [];
  private readonly robotSends = new Map<string, number[]>();
  private tokenCounter = 0;
  private readonly validTokens = new Set<string>();
  private readonly hanging: ServerResponse[] = [];
  url = '';

  constructor(private readonly options: FakeWecomOptions = {}) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** respond installs a responder consulted before the default behaviour; first match wins. */
  respond(responder: Responder): void {
    this.responders.push(responder);
  }

  /** replyOnce queues replies for the next matching sends, in order. */
  replySequence(pathPart: string, replies: Reply[]): void {
    const queue = [...replies];
    this.respond((request) => (request.path.includes(pathPart) && queue.length > 0 ? queue.shift() : undefined));
  }

  clearResponders(): void {
    this.responders = [];
  }

  /** sends returns the recorded message sends (robot and app), optionally for one path part. */
  sends(pathPart = '/send'): RecordedRequest[] {
    return this.requests.filter((request) => request.method === 'POST' && request.path.includes(pathPart));
  }

  /** gettokenCalls counts the gettoken requests received so far. */
  gettokenCalls(): number {
    return this.requests.filter((request) => request.path.endsWith('/cgi-bin/gettoken')).length;
  }

  /** accepted returns the sends WeCom would have delivered (HTTP 200 with errcode 0). */
  accepted(pathPart = '/send'): RecordedRequest[] {
    return this.sends(pathPart).filter((request) => {
      const reply = request.reply;
      return reply !== undefined && 'json' in reply && (reply.status ?? 200) === 200 && reply.json.errcode === 0;
    });
  }

  /** expireTokens makes every issued token invalid (WeCom answers 42001 until a refresh). */
  expireTokens(): void {
    this.validTokens.clear();
  }

  /** waitFor polls until predicate holds or the timeout passes (no fixed sleeps in tests). */
  async waitFor(predicate: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ${this.requests.length} requests recorded`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of req) chunks.push(chunk as Buffer);
    } catch {
      return; // the client went away mid-request (e.g. a sender killed with -9): nothing was sent
    }
    // A request cut off before its body ended never reached WeCom as a message either.
    if (!req.complete) return;
    const url = new URL(req.url ?? '/', 'http://fake');
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // keep raw text
    }
    const request: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, body, at: Date.now() };
    this.requests.push(request);
    const scripted = this.responders.map((responder) => responder(request)).find((reply) => reply !== undefined);
    request.reply = scripted ?? this.defaultReply(request);
    this.reply(res, request.reply);
  }

  private reply(res: ServerResponse, reply: Reply): void {
    if ('hang' in reply) {
      this.hanging.push(res);
      return;
    }
    if ('destroy' in reply) {
      res.socket?.destroy();
      return;
    }
    if ('json' in reply && reply.delayMs) {
      const delayed = { ...reply, delayMs: undefined };
      setTimeout(() => this.reply(res, delayed), reply.delayMs);
      return;
    }
    if ('json' in reply) {
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(reply.json));
      return;
    }
    res.writeHead(reply.status, { 'content-type': 'text/html' });
    res.end(reply.text);
  }

  private defaultReply(request: RecordedRequest): Reply {
    if (request.path.endsWith('/cgi-bin/webhook/send')) return this.robotReply(request);
    if (request.path.endsWith('/cgi-bin/gettoken')) return this.tokenReply(request);
    if (request.path.endsWith('/cgi-bin/message/send')) return this.appReply(request);
    if (request.path.endsWith('/cgi-bin/message/update_template_card')) return this.updateCardReply(request);
    return { status: 404, text: 'not found' };
  }

  private robotReply(request: RecordedRequest): Reply {
    const key = request.query.get('key') ?? '';
    if (this.options.robotKeys && !this.options.robotKeys.includes(key)) {
      return { json: { errcode: 93000, errmsg: 'invalid webhook url, hint: [1] from ip: 127.0.0.1' } };
    }
    const error = validateRobotBody(request.body);
    if (error) return { json: error };
    if (this.options.robotLimit) {
      const now = Date.now();
      const recent = (this.robotSends.get(key) ?? []).filter((at) => now - at < this.options.robotLimit!.perMs);
      recent.push(now);
      this.robotSends.set(key, recent);
      if (recent.length > this.options.robotLimit.count) return { json: { errcode: 45009, errmsg: 'api freq out of limit' } };
    }
    return { json: { errcode: 0, errmsg: 'ok' } };
  }

  private tokenReply(request: RecordedRequest): Reply {
    const secret = request.query.get('corpsecret') ?? '';
    const app = this.options.apps?.[secret];
    if (!app) return { json: { errcode: 40001, errmsg: 'invalid credential, hint: [2] from ip: 127.0.0.1' } };
    if (app.corpid !== request.query.get('corpid')) return { json: { errcode: 40013, errmsg: 'invalid corpid' } };
    const token = `token-${++this.tokenCounter}`;
    this.validTokens.add(token);
    return { json: { errcode: 0, errmsg: 'ok', access_token: token, expires_in: this.options.tokenExpiresIn ?? 7200 } };
  }

  /** message/update_template_card (/94888): token, agentid, a response_code, and a card or a button. */
  private updateCardReply(request: RecordedRequest): Reply {
    const token = request.query.get('access_token') ?? '';
    if (!this.validTokens.has(token)) return { json: { errcode: 42001, errmsg: 'access_token expired' } };
    const body = request.body;
    if (!body?.response_code || typeof body.agentid !== 'number') return { json: { errcode: 40058, errmsg: 'response_code or agentid missing' } };
    if (body.template_card) {
      const error = validateTemplateCard(body.template_card);
      if (error) return { json: error };
    } else if (!body.button?.replace_name) return { json: { errcode: 40058, errmsg: 'template_card or button required' } };
    return { json: { errcode: 0, errmsg: 'ok', invaliduser: [] } };
  }

  private appReply(request: RecordedRequest): Reply {
    const token = request.query.get('access_token') ?? '';
    if (!token) return { json: { errcode: 41001, errmsg: 'access_token missing' } };
    if (!this.validTokens.has(token)) return { json: { errcode: 42001, errmsg: 'access_token expired' } };
    const error = validateAppBody(request.body);
    if (error) return { json: error };
    const bad = this.options.invalidRecipients ?? {};
    const split = (value: unknown) => (typeof value === 'string' && value ? value.split('|') : []);
    const [users, parties, tags] = [split(request.body.touser), split(request.body.toparty), split(request.body.totag)];
    const invaliduser = users.filter((id) => bad.users?.includes(id));
    const invalidparty = parties.filter((id) => bad.parties?.includes(id));
    const invalidtag = tags.filter((id) => bad.tags?.includes(id));
    if (invaliduser.length + invalidparty.length + invalidtag.length === users.length + parties.length + tags.length) {
      return { json: { errcode: 81013, errmsg: 'user & party & tag all invalid, hint: [3] from ip: 127.0.0.1' } };
    }
    return {
      json: { errcode: 0, errmsg: 'ok', invaliduser: invaliduser.join('|'), invalidparty: invalidparty.join('|'), invalidtag: invalidtag.join('|'), msgid: `msg-${this.requests.length}` },
    };
  }
}

/** validateTemplateCard checks an app template_card as documented (/90236): button_interaction needs task_id and 1–6 buttons. */
function validateTemplateCard(card: any): { errcode: number; errmsg: string } | undefined {
  if (!card || typeof card !== 'object' || !card.main_title?.title) return { errcode: 40058, errmsg: 'template_card.main_title.title missing' };
  if (!/^https?:\/\//.test(card.card_action?.url ?? '')) return { errcode: 40058, errmsg: 'template_card.card_action.url missing' };
  if (card.card_type === 'button_interaction') {
    if (typeof card.task_id !== 'string' || !/^[A-Za-z0-9_\-@]{1,128}$/.test(card.task_id)) return { errcode: 40058, errmsg: 'invalid task_id' };
    if (!Array.isArray(card.button_list) || card.button_list.length < 1 || card.button_list.length > 6) return { errcode: 40058, errmsg: 'button_list must have 1 to 6 buttons' };
    if (card.button_list.some((button: any) => !button.text || !button.key || Buffer.byteLength(button.key) > 1024)) return { errcode: 40058, errmsg: 'invalid button' };
    return undefined;
  }
  return card.card_type === 'text_notice' ? undefined : { errcode: 40058, errmsg: 'invalid card_type' };
}

/** validateAppBody checks app message/send bodies (recipients, msgtype, byte limits, card url) as WeCom does. */
export function validateAppBody(body: any): { errcode: number; errmsg: string } | undefined {
  if (!body || typeof body !== 'object') return { errcode: 40058, errmsg: 'invalid json' };
  if (!body.touser && !body.toparty && !body.totag) return { errcode: 82001, errmsg: 'All touser & toparty & totag invalid' };
  const type = body.msgtype;
  if (type === 'text' || type === 'markdown') {
    const content = body[type]?.content;
    if (typeof content !== 'string' || content.length === 0) return { errcode: 44004, errmsg: 'empty content' };
    if (Buffer.byteLength(content) > 2048) return { errcode: type === 'text' ? 45002 : 40058, errmsg: `${type}.content exceed max length 2048` };
    return undefined;
  }
  if (type === 'template_card') return validateTemplateCard(body.template_card);
  if (type === 'textcard') {
    const card = body.textcard ?? {};
    if (!card.title || !card.description) return { errcode: 40058, errmsg: 'textcard title/description missing' };
    if (Buffer.byteLength(card.title) > 128 || Buffer.byteLength(card.description) > 512) return { errcode: 40058, errmsg: 'textcard field exceed max length' };
    if (!/^https?:\/\//.test(card.url ?? '')) return { errcode: 45034, errmsg: 'url must start with http:// or https://' };
    return undefined;
  }
  return { errcode: 40008, errmsg: 'invalid message type' };
}

/** validateRobotBody checks the documented robot body shapes and byte limits, as WeCom does (40058). */
export function validateRobotBody(body: any): { errcode: number; errmsg: string } | undefined {
  const limits: Record<string, number> = { markdown: 4096, markdown_v2: 4096, text: 2048 };
  if (!body || typeof body !== 'object') return { errcode: 40058, errmsg: 'invalid json' };
  const type = body.msgtype;
  if (type in limits) {
    const content = body[type]?.content;
    if (typeof content !== 'string' || content.length === 0) return { errcode: 44004, errmsg: 'empty content' };
    if (Buffer.byteLength(content) > limits[type]) return { errcode: 40058, errmsg: `${type}.content exceed max length ${limits[type]}` };
    return undefined;
  }
  if (type === 'news' || type === 'template_card') return undefined;
  return { errcode: 40008, errmsg: 'invalid message type' };
}
