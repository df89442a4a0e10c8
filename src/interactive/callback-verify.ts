import { CallbackCrypto } from './callback-crypto';
import { CallbackRejection } from './callback-errors';
import { callbackSignature, signatureMatches, timestampFresh } from './callback-signature';
import { parseFlatXml } from './callback-xml';

/**
 * Verifying one WeCom callback request, in the order that does the least work for a forged one:
 * all signature parameters present → signature over the ciphertext (constant time) → timestamp
 * window → decrypt → ReceiveId is our corp id → (events) inner ToUserName / AgentID are ours.
 * Nothing is acted on unless every step passed. https://developer.work.weixin.qq.com/document/path/90968
 */
export interface CallbackSettings {
  token: string;
  encodingAesKey: string;
  corpId: string;
  agentId: number;
  windowMs: number;
}

export interface SignedQuery {
  msg_signature?: unknown;
  timestamp?: unknown;
  nonce?: unknown;
  echostr?: unknown;
}

const cryptos = new Map<string, CallbackCrypto>();

/** cryptoFor caches the AES setup per key (a reload with a new key gets a new one). */
function cryptoFor(key: string): CallbackCrypto {
  let crypto = cryptos.get(key);
  if (!crypto) {
    if (cryptos.size > 64) cryptos.clear();
    crypto = new CallbackCrypto(key);
    cryptos.set(key, crypto);
  }
  return crypto;
}

function signed(query: SignedQuery): { signature: string; timestamp: string; nonce: string } {
  const { msg_signature: signature, timestamp, nonce } = query;
  if (typeof signature !== 'string' || typeof timestamp !== 'string' || typeof nonce !== 'string' || !signature || !timestamp || !nonce) {
    throw new CallbackRejection(401, 'unsigned', 'missing msg_signature, timestamp or nonce: not a WeCom callback');
  }
  return { signature, timestamp, nonce };
}

function open(settings: CallbackSettings, query: SignedQuery, encrypted: string, now: number): string {
  const { signature, timestamp, nonce } = signed(query);
  if (!signatureMatches(callbackSignature(settings.token, timestamp, nonce, encrypted), signature)) {
    throw new CallbackRejection(401, 'bad_signature', 'msg_signature does not match (wrong token, or not sent by WeCom)');
  }
  if (!timestampFresh(timestamp, now, settings.windowMs)) {
    throw new CallbackRejection(401, 'stale_timestamp', 'timestamp outside the accepted window (callback.timestamp_window): a replayed or delayed request');
  }
  const { message, receiveId } = cryptoFor(settings.encodingAesKey).decrypt(encrypted);
  if (receiveId !== settings.corpId) throw new CallbackRejection(401, 'wrong_corp', 'the message was encrypted for another corp id');
  return message;
}

/** verifyUrl answers WeCom's URL check (GET with echostr): the decrypted echostr. */
export function verifyUrl(settings: CallbackSettings, query: SignedQuery, now: number): string {
  const echostr = query.echostr;
  if (typeof echostr !== 'string' || !echostr) throw new CallbackRejection(400, 'bad_body', 'missing echostr (URL verification)');
  return open(settings, query, echostr, now);
}

/** openEvent verifies and decrypts a POSTed event body; returns the decrypted message's fields. */
export function openEvent(settings: CallbackSettings, query: SignedQuery, body: string, now: number): Record<string, string> {
  signed(query);
  const outer = parseFlatXml(body);
  if (!outer || typeof outer.Encrypt !== 'string' || !outer.Encrypt) throw new CallbackRejection(400, 'bad_body', 'expected <xml> with an <Encrypt> element');
  const message = open(settings, query, outer.Encrypt, now);
  if (outer.ToUserName !== undefined && outer.ToUserName !== settings.corpId) throw new CallbackRejection(401, 'wrong_corp', 'ToUserName is not this corp id');
  const fields = parseFlatXml(message);
  if (!fields) throw new CallbackRejection(400, 'bad_body', 'the decrypted message is not the documented XML');
  if (fields.ToUserName !== settings.corpId) throw new CallbackRejection(401, 'wrong_corp', 'the decrypted ToUserName is not this corp id');
  if (fields.AgentID !== undefined && fields.AgentID !== String(settings.agentId)) throw new CallbackRejection(401, 'wrong_agent', 'the event is for another app (AgentID)');
  return fields;
}
