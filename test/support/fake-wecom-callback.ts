import { randomBytes } from 'node:crypto';
import { CallbackCrypto } from '../../src/interactive/callback-crypto';
import { callbackSignature } from '../../src/interactive/callback-signature';
import { buildXml } from '../../src/interactive/callback-xml';

/**
 * WecomCallbackSender plays WeCom's side of the callback protocol (加解密方案说明 /90968, 模板卡片事件推送
 * /90376) for tests: it signs and encrypts URL-verification requests and `template_card_event`
 * clicks exactly as WeCom does — checked against WeCom's published sample in
 * test/unit/interactive-crypto.test.ts — and forges the wrong ones on request: wrong signature,
 * wrong corp id, stale timestamp, garbage ciphertext, no signature.
 */
export interface SenderOptions {
  token: string;
  encodingAesKey: string;
  corpId: string;
  agentId: number;
}

export interface Forgery {
  /** Sign with another token. */
  wrongToken?: boolean;
  /** Encrypt for another corp id (the ReceiveId inside the ciphertext). */
  corpId?: string;
  /** Inner ToUserName / AgentID. */
  innerCorpId?: string;
  agentId?: number;
  /** Seconds since the epoch to put in `timestamp`. */
  timestamp?: number;
  /** Replace the ciphertext with random base64 (signed correctly over it). */
  garbage?: boolean;
  /** Leave out msg_signature. */
  unsigned?: boolean;
}

export interface SignedRequest {
  query: Record<string, string>;
  body: string;
}

export interface ClickFields {
  user: string;
  taskId: string;
  eventKey: string;
  responseCode?: string;
  createTime?: number;
}

export class WecomCallbackSender {
  private readonly crypto: CallbackCrypto;

  constructor(
    readonly options: SenderOptions,
    private readonly now: () => number = Date.now,
  ) {
    this.crypto = new CallbackCrypto(options.encodingAesKey);
  }

  /** urlVerification: the GET query WeCom sends when the URL is saved in the admin console. */
  urlVerification(echo: string, forgery: Forgery = {}): Record<string, string> {
    const encrypted = forgery.garbage ? randomBytes(48).toString('base64') : this.crypto.encrypt(echo, forgery.corpId ?? this.options.corpId);
    const signed = this.sign(encrypted, forgery);
    return { ...signed, echostr: encrypted };
  }

  /** click: the POST of a button click on a template card. */
  click(fields: ClickFields, forgery: Forgery = {}): SignedRequest {
    const createTime = fields.createTime ?? Math.floor(this.now() / 1000);
    const inner = buildXml({
      ToUserName: forgery.innerCorpId ?? this.options.corpId,
      FromUserName: fields.user,
      CreateTime: createTime,
      MsgType: 'event',
      Event: 'template_card_event',
      EventKey: fields.eventKey,
      TaskId: fields.taskId,
      CardType: 'button_interaction',
      ResponseCode: fields.responseCode ?? `rc-${randomBytes(6).toString('hex')}`,
      AgentID: forgery.agentId ?? this.options.agentId,
    });
    return this.event(inner, forgery);
  }

  /** event wraps any decrypted message XML as WeCom posts it. */
  event(innerXml: string, forgery: Forgery = {}): SignedRequest {
    const encrypted = forgery.garbage ? randomBytes(64).toString('base64') : this.crypto.encrypt(innerXml, forgery.corpId ?? this.options.corpId);
    const body = buildXml({ ToUserName: this.options.corpId, Encrypt: encrypted, AgentID: String(this.options.agentId) });
    return { query: this.sign(encrypted, forgery), body };
  }

  private sign(encrypted: string, forgery: Forgery): Record<string, string> {
    const timestamp = String(forgery.timestamp ?? Math.floor(this.now() / 1000));
    const nonce = String(Math.floor(Math.random() * 1e9));
    const token = forgery.wrongToken ? `${this.options.token}x` : this.options.token;
    const query: Record<string, string> = { timestamp, nonce };
    if (!forgery.unsigned) query.msg_signature = callbackSignature(token, timestamp, nonce, encrypted);
    return query;
  }
}

/** A valid 43-character EncodingAESKey for tests (WeCom's own sample key). */
export const SAMPLE_AES_KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
