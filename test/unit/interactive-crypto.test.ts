import { randomBytes } from 'node:crypto';
import { CallbackCrypto } from '../../src/interactive/callback-crypto';
import { CallbackRejection } from '../../src/interactive/callback-errors';
import { callbackSignature, signatureMatches, timestampFresh } from '../../src/interactive/callback-signature';
import { openEvent, verifyUrl, type CallbackSettings } from '../../src/interactive/callback-verify';
import { buildXml, parseFlatXml } from '../../src/interactive/callback-xml';
import { cardClickOf } from '../../src/interactive/card-event';
import { SAMPLE_AES_KEY, WecomCallbackSender } from '../support/fake-wecom-callback';

/**
 * WeCom's own published sample (加解密方案说明, developer.work.weixin.qq.com/document/path/90968,
 * reproduced and checked in /work/shared/reference/wecom-api.md "Callbacks"): the real sender's
 * values, so the implementation is checked against WeCom, not against itself.
 */
const SAMPLE = {
  token: 'QDG6eK',
  key: SAMPLE_AES_KEY,
  corpId: 'wx5823bf96d3bd56c7',
  timestamp: '1409659589',
  nonce: '263014780',
  echostr: 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
  signature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
  plaintext: '1616140317555161061',
};

const settings = (now = Number(SAMPLE.timestamp) * 1000): [CallbackSettings, number] => [{ token: SAMPLE.token, encodingAesKey: SAMPLE.key, corpId: SAMPLE.corpId, agentId: 1000002, windowMs: 300_000 }, now];

describe('WeCom callback crypto against the official sample', () => {
  it('computes the documented msg_signature', () => {
    expect(callbackSignature(SAMPLE.token, SAMPLE.timestamp, SAMPLE.nonce, SAMPLE.echostr)).toBe(SAMPLE.signature);
  });

  it('decrypts the documented echostr to its plaintext and corp id', () => {
    expect(new CallbackCrypto(SAMPLE.key).decrypt(SAMPLE.echostr)).toEqual({ message: SAMPLE.plaintext, receiveId: SAMPLE.corpId });
  });

  it('verifies the documented URL-verification request end to end', () => {
    const [s, now] = settings();
    expect(verifyUrl(s, { msg_signature: SAMPLE.signature, timestamp: SAMPLE.timestamp, nonce: SAMPLE.nonce, echostr: SAMPLE.echostr }, now)).toBe(SAMPLE.plaintext);
  });

  it('encrypts what WeCom can decrypt: same random bytes give the sample ciphertext back', () => {
    const crypto = new CallbackCrypto(SAMPLE.key);
    const random = Buffer.from(SAMPLE.echostr, 'base64');
    // Recover the sample's 16 random bytes by decrypting the first block without padding checks.
    const { createDecipheriv } = jest.requireActual<typeof import('node:crypto')>('node:crypto');
    const key = Buffer.from(`${SAMPLE.key}=`, 'base64');
    const d = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    d.setAutoPadding(false);
    const head = Buffer.concat([d.update(random), d.final()]).subarray(0, 16);
    expect(crypto.encrypt(SAMPLE.plaintext, SAMPLE.corpId, head)).toBe(SAMPLE.echostr);
  });

  it('pads to 32-byte blocks (PKCS#7 with block 32) for every length, and round-trips UTF-8', () => {
    const crypto = new CallbackCrypto(SAMPLE.key);
    for (let n = 0; n < 70; n++) {
      const message = '告'.repeat(n % 7) + 'x'.repeat(n);
      const encrypted = crypto.encrypt(message, SAMPLE.corpId);
      expect(Buffer.from(encrypted, 'base64').length % 32).toBe(0);
      expect(crypto.decrypt(encrypted)).toEqual({ message, receiveId: SAMPLE.corpId });
    }
  });

  it('rejects garbage, truncated and tampered ciphertexts as 400 bad_ciphertext', () => {
    const crypto = new CallbackCrypto(SAMPLE.key);
    const good = Buffer.from(crypto.encrypt('<xml></xml>', SAMPLE.corpId), 'base64');
    const tampered = Buffer.from(good);
    tampered[tampered.length - 1] ^= 0xff;
    for (const bad of ['not base64!', '', randomBytes(47).toString('base64'), good.subarray(0, 16).toString('base64'), tampered.toString('base64')]) {
      try {
        crypto.decrypt(bad);
        throw new Error(`accepted ${bad}`);
      } catch (err) {
        expect(err).toBeInstanceOf(CallbackRejection);
        expect((err as CallbackRejection).outcome).toBe('bad_ciphertext');
        expect((err as CallbackRejection).status).toBe(400);
      }
    }
  });

  it('refuses an EncodingAESKey that is not 43 characters', () => {
    expect(() => new CallbackCrypto('short')).toThrow(/43 characters/);
  });
});

describe('signature and timestamp checks', () => {
  it('compares signatures in constant time and case-insensitively, never matching other lengths', () => {
    expect(signatureMatches(SAMPLE.signature, SAMPLE.signature.toUpperCase())).toBe(true);
    expect(signatureMatches(SAMPLE.signature, SAMPLE.signature.slice(0, 39))).toBe(false);
    expect(signatureMatches(SAMPLE.signature, `${SAMPLE.signature.slice(0, 39)}0`)).toBe(SAMPLE.signature.endsWith('0'));
  });

  it('accepts timestamps within the window only', () => {
    const now = 1_700_000_000_000;
    expect(timestampFresh('1700000000', now, 300_000)).toBe(true);
    expect(timestampFresh('1699999800', now, 300_000)).toBe(true);
    expect(timestampFresh('1699999000', now, 300_000)).toBe(false);
    expect(timestampFresh('1700000400', now, 300_000)).toBe(false);
    expect(timestampFresh('17e8', now, 300_000)).toBe(false);
  });
});

describe('the fixed-shape XML reader', () => {
  it('reads CDATA and numeric children, skips nested ones, decodes entities', () => {
    const fields = parseFlatXml('<xml><A><![CDATA[x<y]]></A><B>12</B><C><D><![CDATA[n]]></D></C><E>a&amp;b</E></xml>');
    expect(fields).toEqual({ A: 'x<y', B: '12', E: 'a&b' });
  });

  it('returns null for anything outside the shape', () => {
    for (const bad of ['', '<xml>', '<root><A>1</A></root>', '<xml><A>1</B></xml>', '<xml><A>1</A><A>2</A></xml>', '<xml><A x="1">1</A></xml>', '<xml><!DOCTYPE x><A>1</A></xml>', '<xml><A>&foo;</A></xml>']) {
      expect(parseFlatXml(bad)).toBeNull();
    }
  });

  it('round-trips values with "]]>" through buildXml', () => {
    expect(parseFlatXml(buildXml({ A: 'a]]>b', N: 5 }))).toEqual({ A: 'a]]>b', N: '5' });
  });
});

describe('openEvent with the fake WeCom sender', () => {
  const options = { token: 'tok3n', encodingAesKey: SAMPLE_AES_KEY, corpId: 'ww0123456789abcdef', agentId: 1000002 };
  const now = 1_764_583_920_000;
  const sender = new WecomCallbackSender(options, () => now);
  const s: CallbackSettings = { token: options.token, encodingAesKey: options.encodingAesKey, corpId: options.corpId, agentId: options.agentId, windowMs: 300_000 };

  it('opens a correctly signed click into a CardClick', () => {
    const request = sender.click({ user: 'zhangsan', taskId: 'wa_1', eventKey: 'ack', responseCode: 'RC1' });
    const click = cardClickOf(openEvent(s, request.query, request.body, now));
    expect(click).toEqual({ user: 'zhangsan', taskId: 'wa_1', eventKey: 'ack', responseCode: 'RC1', cardType: 'button_interaction', createTime: now / 1000 });
  });

  const forged: [string, Parameters<WecomCallbackSender['click']>[1], number, string][] = [
    ['no signature', { unsigned: true }, 401, 'unsigned'],
    ['wrong token', { wrongToken: true }, 401, 'bad_signature'],
    ['stale timestamp', { timestamp: now / 1000 - 3600 }, 401, 'stale_timestamp'],
    ['another corp id in the ciphertext', { corpId: 'wwforeign' }, 401, 'wrong_corp'],
    ['another corp id inside', { innerCorpId: 'wwforeign' }, 401, 'wrong_corp'],
    ['another agent', { agentId: 42 }, 401, 'wrong_agent'],
    ['garbage ciphertext', { garbage: true }, 400, 'bad_ciphertext'],
  ];
  it.each(forged)('refuses %s', (_what, forgery, status, outcome) => {
    const request = sender.click({ user: 'zhangsan', taskId: 'wa_1', eventKey: 'ack' }, forgery);
    try {
      openEvent(s, request.query, request.body, now);
      throw new Error('accepted a forged request');
    } catch (err) {
      expect(err).toBeInstanceOf(CallbackRejection);
      expect({ status: (err as CallbackRejection).status, outcome: (err as CallbackRejection).outcome }).toEqual({ status, outcome });
    }
  });

  it('ignores events other than template_card_event', () => {
    expect(cardClickOf({ MsgType: 'event', Event: 'enter_agent', FromUserName: 'u' })).toBeUndefined();
  });
});
