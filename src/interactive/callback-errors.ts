/**
 * CallbackRejection: why a WeCom callback request was refused before anything was done. `outcome`
 * is the stable metric label (`wecom_adapter_callbacks_total{outcome}`); `status` the HTTP answer:
 * 401 for requests that fail authentication (missing/wrong signature, stale timestamp, foreign corp
 * or agent), 400 for requests that are signed but malformed (garbage ciphertext, bad XML).
 * The message never contains the token, the key or the decrypted text.
 */
export type RejectOutcome =
  | 'unsigned'
  | 'bad_signature'
  | 'stale_timestamp'
  | 'bad_ciphertext'
  | 'wrong_corp'
  | 'wrong_agent'
  | 'bad_body'
  | 'forbidden_user';

export class CallbackRejection extends Error {
  constructor(
    readonly status: 400 | 401 | 403,
    readonly outcome: RejectOutcome,
    message: string,
  ) {
    super(message);
    this.name = 'CallbackRejection';
  }
}
