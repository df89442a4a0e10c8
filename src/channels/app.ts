import type { AppConfig } from '../config/schema';
import { messageFormat, type MessageFormat } from '../render/format';
import type { Notification } from '../model/notification';
import type { PackedMessage } from '../render/packer';
import { invalidRecipientsOf, recipientWarning, untrustedIpError, type RecipientField } from './app-answer';
import { appBody, cardUrl } from './app-body';
import type { Channel, SendContext } from './channel';
import type { CardAlert, CardRecord } from '../interactive/action-store';
import { buttonCard, newTaskId, noticeCard, type CardContent } from '../interactive/card-builder';
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
  /** Interactive cards (msgtype template_card): where each sent card is recorded before it is sent. */
  cards?: { saveCard(card: CardRecord): Promise<void> };
  /** server.timezone, for the card's "开始" and status lines. */
  timezone?: string;
  clock?: () => number;
}

export class AppChannel implements Channel {
  readonly kind = 'app' as const;
  readonly format: MessageFormat;
  readonly rateLimit?: { count: number; perMs: number };
  private readonly base: string;
  private readonly tokenApp: TokenApp;
  private lastToken?: string;
  /** The card built for a message in send(), so requestBody() (delivery log) shows the same task_id. */
  private readonly cardsSent = new WeakMap<PackedMessage, Record<string, unknown>>();

  constructor(
    readonly name: string,
    private readonly config: AppConfig,
    private readonly deps: AppChannelDeps,
  ) {
    // An interactive card is measured and rendered like a robot template_card (the `card` templates,
    // title 78 B, text 336 B); the app body then adds the buttons (interactive/card-builder.ts).
    this.format = config.msgtype === 'template_card' ? messageFormat('robot', 'template_card') : messageFormat('app', config.msgtype);
    this.rateLimit = config.rate_limit ? { count: config.rate_limit.count, perMs: config.rate_limit.per } : undefined;
    this.base = deps.apiBase.replace(/\/+$/, '');
    this.tokenApp = { key: appTokenKey(config.corp_id, config.agent_id), receiver: name };
  }

  async send(message: PackedMessage, context?: SendContext): Promise<SendResult> {
    if (message.companion) return sendOk();
    if (this.config.msgtype === 'template_card') {
      const recorded = await this.recordCard(message, context);
      if (recorded) return recorded;
    }
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
    if (this.config.msgtype !== 'template_card') return appBody(this.config, message, this.deps.fallbackUrl);
    return appBody(this.config, message, this.deps.fallbackUrl, this.cardsSent.get(message) ?? this.previewCard(message));
  }

  /**
   * previewCard: the card a message not (yet) sent would get, for `render` and the console: firing
   * alerts show the buttons under the placeholder task_id `preview` (a real one is made per send).
   */
  private previewCard(message: PackedMessage): Record<string, unknown> {
    const content = this.cardContent(message);
    if (message.card?.sourceColor !== 2 || !this.config.callback) return noticeCard(content);
    const card = buttonCard('preview', content, [], { silenceDurations: this.config.callback.silence_durations, timezone: this.deps.timezone ?? 'Asia/Shanghai' });
    return { ...card, horizontal_content_list: message.card.fields.slice(0, 6) };
  }

  /**
   * updateCard calls message/update_template_card (更新模版卡片消息 /94888) with the click's
   * ResponseCode, for every recipient of this receiver, with the same token handling as send().
   */
  async updateCard(responseCode: string, templateCard: Record<string, unknown>): Promise<SendResult> {
    const body: Record<string, unknown> = { agentid: Number(this.config.agent_id), response_code: responseCode, template_card: templateCard };
    const list = (value?: string) => (value ? value.split('|').filter(Boolean) : []);
    if (this.config.to_user === '@all') body.atall = 1;
    else if (this.config.to_user) body.userids = list(this.config.to_user);
    if (this.config.to_party) body.partyids = list(this.config.to_party);
    if (this.config.to_tag) body.tagids = list(this.config.to_tag);
    let token = await this.token();
    if (typeof token !== 'string') return token;
    let sent = await this.post(token, body, 'update_template_card');
    if (isTokenRejection(sent)) {
      await this.deps.tokens.invalidate(this.tokenApp.key, token);
      token = await this.token();
      if (typeof token !== 'string') return token;
      sent = await this.post(token, body, 'update_template_card');
    }
    const { result } = sent;
    return result.ok ? sendOk() : { ...result, error: this.scrub(result.error) };
  }

  /**
   * recordCard builds the card of a message: firing alerts get a button_interaction card, recorded
   * durably (task_id → alerts) before it is sent so that a click can always be resolved; anything
   * else a text_notice card. A store that cannot record is a retryable failure: no card is sent
   * whose buttons could not work.
   */
  private async recordCard(message: PackedMessage, context?: SendContext): Promise<SendResult | undefined> {
    const alerts = firingAlerts(context?.items ?? []);
    const content = this.cardContent(message);
    const callback = this.config.callback;
    if (alerts.length === 0 || !callback) {
      this.cardsSent.set(message, noticeCard(content));
      return undefined;
    }
    const now = (this.deps.clock ?? Date.now)();
    const taskId = newTaskId(now);
    const card = buttonCard(taskId, content, alerts, { silenceDurations: callback.silence_durations, timezone: this.deps.timezone ?? 'Asia/Shanghai' });
    try {
      await this.deps.cards?.saveCard({ taskId, receiver: this.name, createdAt: now, alerts, content, state: {} });
    } catch (err) {
      return { ok: false, retry: true, reason: 'card_store', error: `cannot record the interactive card: ${(err as Error).message}` };
    }
    this.cardsSent.set(message, card);
    return undefined;
  }

  private cardContent(message: PackedMessage): CardContent {
    return { title: message.title ?? '', text: message.content, url: cardUrl(message.url, this.deps.fallbackUrl), source: message.card?.source ?? '告警' };
  }

  secrets(): string[] {
    const callback = this.config.callback;
    return [this.config.secret, this.lastToken, callback?.token, callback?.encoding_aes_key, callback?.grafana?.token].filter((value): value is string => Boolean(value));
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

  private async post(token: string, body: Record<string, unknown>, api = 'send'): Promise<Classified> {
    const url = `${this.base}/cgi-bin/message/${api}?access_token=${encodeURIComponent(token)}`;
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

/** firingAlerts: the firing alerts a message carries, with what acting on them needs. */
function firingAlerts(items: SendContext['items']): CardAlert[] {
  return items.flatMap(({ notification, start, end }: { notification: Notification; start: number; end: number }) =>
    notification.kind !== 'alerts'
      ? []
      : notification.alerts
          .slice(start, end)
          .filter((alert) => alert.status === 'firing')
          .map((alert) => ({
            fingerprint: alert.fingerprint,
            name: alert.name,
            source: alert.source,
            severity: alert.severity,
            labels: alert.labels,
            startsAt: alert.startsAt,
            summary: alert.summary,
            ...(notification.externalURL ? { externalURL: notification.externalURL } : {}),
          })),
  );
}
