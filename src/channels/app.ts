import type { AppConfig } from '../config/schema';
import { messageFormat, type MessageFormat } from '../render/format';
import type { PackedMessage } from '../render/packer';
import { invalidRecipientsOf, recipientWarning, untrustedIpError, type RecipientField } from './app-answer';
import { appBody } from './app-body';
import type { Channel } from './channel';
import { classifyOutcome, type Classified } from './classify';
import { errcodeInfo } from './errcodes';
import type { WecomHttp } from './http-client';
import { redactSecrets } from './redact';
import { sendOk, type SendResult } from './send-result';
import { appTokenKey, TokenError, type GettokenReply, type SendFailure, type TokenApp, type TokenCache } from './token-cache';

/**
 * AppChannel sends WeCom application messages (应用消息, wecom-api.md §2):
 * https://developer.work.weixin.qq.com/document/path/90236
 * - the token comes from the shared TokenCache (one gettoken per app, not per message);
 * - 40014/41001/42001: drop that token, get a new one, resend once; a second failure is classified
 *   like any other answer (the outbox retries later);
 * - gettoken failures (40001 wrong secret, 40013 wrong corp_id) come back as the cache's failure,
 *   permanent and without a gettoken loop;
 * - errcode 0 with `invaliduser`/… is delivered (`ok: true`) with one warning per field, and
 *   `onInvalidRecipients` is called so the count can become a metric;
 * - mention companions are not sent: an app message already notifies each recipient personally;
 * - no error or warning text contains the secret or a token.
 */
export interface AppChannelDeps {
  http: WecomHttp;
  apiBase: string;
  rateLimitedBackoffMs: number;
  tokens: TokenCache;
  /** Textcard link when the message has none (e.g. `server.external_url`). */
  fallbackUrl?: string;
  /** Called per non-empty `invalid*` field of a partially delivered message. */
  onInvalidRecipients?: (receiver: string, field: RecipientField, count: number) => void;
}

export class AppChannel implements Channel {
  readonly kind = 'app' as const;
  readonly format: MessageFormat;
  readonly rateLimit?: { count: number; perMs: number };
  private readonly base: string;
  private readonly tokenApp: TokenApp;
  private lastToken?: string;

  constructor(
    readonly name: string,
    private readonly config: AppConfig,
    private readonly deps: AppChannelDeps,
  ) {
    this.format = messageFormat('app', config.msgtype);
    this.rateLimit = config.rate_limit ? { count: config.rate_limit.count, perMs: config.rate_limit.per } : undefined;
    this.base = deps.apiBase.replace(/\/+$/, '');
    this.tokenApp = { key: appTokenKey(config.corp_id, config.agent_id), receiver: name };
  }

  async send(message: PackedMessage): Promise<SendResult> {
    if (message.companion) return sendOk();
    const body = this.requestBody(message);
    let token = await this.token();
    if (typeof token !== 'string') return token;
    let sent = await this.post(token, body);
    if (isTokenRejection(sent)) {
      // Expired or revoked early; expiry is sometimes reported as 40014 (wecom-api.md §2.1).
      // https://developer.work.weixin.qq.com/document/path/90313
      await this.deps.tokens.invalidate(this.tokenApp.key, token);
      token = await this.token();
      if (typeof token !== 'string') return token;
      sent = await this.post(token, body);
      if (isTokenRejection(sent)) await this.deps.tokens.invalidate(this.tokenApp.key, token);
    }
    return this.finish(sent);
  }

  requestBody(message: PackedMessage): Record<string, unknown> {
    return appBody(this.config, message, this.deps.fallbackUrl);
  }

  secrets(): string[] {
    return [this.config.secret, this.lastToken].filter((value): value is string => Boolean(value));
  }

  private async token(): Promise<string | SendFailure> {
    try {
      const token = await this.deps.tokens.get(this.tokenApp, () => this.fetchToken());
      this.lastToken = token;
      return token;
    } catch (err) {
      if (err instanceof TokenError) return { ...err.failure, error: this.scrub(err.failure.error) };
      // e.g. a shared token store that is down: worth retrying.
      return { ok: false, retry: true, reason: 'token_unavailable', error: this.scrub(`cannot obtain an access token: ${(err as Error)?.message ?? String(err)}`) };
    }
  }

  /** gettoken: https://developer.work.weixin.qq.com/document/path/91039 (secret in the query: redacted in errors). */
  private async fetchToken(): Promise<GettokenReply> {
    const query = `corpid=${encodeURIComponent(this.config.corp_id)}&corpsecret=${encodeURIComponent(this.config.secret ?? '')}`;
    const { result, answer } = classifyOutcome(await this.deps.http.get(`${this.base}/cgi-bin/gettoken?${query}`), this.deps.rateLimitedBackoffMs);
    if (!result.ok) return { ok: false, failure: { ...result, error: `gettoken ${result.error}` } };
    return { ok: true, answer };
  }

  private async post(token: string, body: Record<string, unknown>): Promise<Classified> {
    const url = `${this.base}/cgi-bin/message/send?access_token=${encodeURIComponent(token)}`;
    return classifyOutcome(await this.deps.http.postJson(url, body), this.deps.rateLimitedBackoffMs);
  }

  private finish({ result, answer }: Classified): SendResult {
    if (result.ok) {
      const warnings = invalidRecipientsOf(answer).map((item) => {
        this.deps.onInvalidRecipients?.(this.name, item.field, item.ids.length);
        return this.scrub(recipientWarning(this.name, item));
      });
      return sendOk(warnings);
    }
    const error = result.errcode === 60020 ? untrustedIpError(answer?.errmsg) : result.error;
    return { ...result, error: this.scrub(error) };
  }

  private scrub(text: string): string {
    return redactSecrets(text, this.secrets());
  }
}

function isTokenRejection({ result }: Classified): boolean {
  return !result.ok && result.errcode !== undefined && errcodeInfo(result.errcode).class === 'token';
}
