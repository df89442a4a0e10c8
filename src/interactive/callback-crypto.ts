import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { CallbackRejection } from './callback-errors';

/**
 * WeCom's callback encryption (加解密方案说明, developer.work.weixin.qq.com/document/path/90968;
 * facts checked against WeCom's own sample in reference/wecom-api.md "Callbacks"):
 * - AESKey = base64decode(EncodingAESKey + "=") — 32 bytes; IV = its first 16 bytes; AES-256-CBC.
 * - plaintext = 16 random bytes + 4-byte big-endian length of msg + msg + ReceiveId (the corp id).
 * - PKCS#7 padding to a 32-byte block (not AES's 16), so node's auto padding is disabled and the
 *   padding is added and checked here.
 */
export const BLOCK = 32;

/** The decrypted content of one `Encrypt` value (or `echostr`). */
export interface Decrypted {
  message: string;
  receiveId: string;
}

export class CallbackCrypto {
  private readonly key: Buffer;
  private readonly iv: Buffer;

  /** @param encodingAesKey the 43-character EncodingAESKey from the admin console. */
  constructor(encodingAesKey: string) {
    if (!/^[A-Za-z0-9+/]{43}$/.test(encodingAesKey)) throw new Error('encoding_aes_key must be the 43 characters (letters and digits) shown in the WeCom admin console');
    this.key = Buffer.from(`${encodingAesKey}=`, 'base64');
    if (this.key.length !== 32) throw new Error('encoding_aes_key does not decode to 32 bytes');
    this.iv = this.key.subarray(0, 16);
  }

  /** decrypt opens one base64 ciphertext; any defect is a 400 `bad_ciphertext` without details. */
  decrypt(encrypted: string): Decrypted {
    const fail = (why: string) => new CallbackRejection(400, 'bad_ciphertext', `cannot decrypt the callback: ${why}`);
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encrypted)) throw fail('not base64');
    const data = Buffer.from(encrypted, 'base64');
    if (data.length === 0 || data.length % 16 !== 0) throw fail('length is not a multiple of the AES block');
    let plain: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-cbc', this.key, this.iv);
      decipher.setAutoPadding(false);
      plain = Buffer.concat([decipher.update(data), decipher.final()]);
    } catch {
      throw fail('AES failed');
    }
    const pad = plain[plain.length - 1];
    if (pad < 1 || pad > BLOCK || pad > plain.length) throw fail('bad padding');
    for (let i = plain.length - pad; i < plain.length; i++) if (plain[i] !== pad) throw fail('bad padding');
    const content = plain.subarray(0, plain.length - pad);
    if (content.length < 20) throw fail('too short');
    const length = content.readUInt32BE(16);
    if (20 + length > content.length) throw fail('length field exceeds the content');
    return { message: content.subarray(20, 20 + length).toString('utf8'), receiveId: content.subarray(20 + length).toString('utf8') };
  }

  /** encrypt builds an `Encrypt` value (passive replies; the test sender). `random` is for fixed test vectors. */
  encrypt(message: string, receiveId: string, random: Buffer = randomBytes(16)): string {
    const body = Buffer.from(message, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length, 0);
    const content = Buffer.concat([random, length, body, Buffer.from(receiveId, 'utf8')]);
    const pad = BLOCK - (content.length % BLOCK);
    const padded = Buffer.concat([content, Buffer.alloc(pad, pad)]);
    const cipher = createCipheriv('aes-256-cbc', this.key, this.iv);
    cipher.setAutoPadding(false);
    return Buffer.concat([cipher.update(padded), cipher.final()]).toString('base64');
  }
}
