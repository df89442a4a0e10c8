/**
 * Secrets travel in WeCom query strings (`key=`, `access_token=`, `corpsecret=`), so every URL or
 * error text that may be logged passes through here first (SPEC §8).
 */
const SECRET_PARAMS = /([?&](?:key|access_token|corpsecret|secret|token)=)[^&#\s"']*/gi;

export const REDACTED = '<redacted>';

/** redactUrl blanks secret query parameters in a URL or any text containing URLs. */
export function redactUrl(text: string): string {
  return text.replace(SECRET_PARAMS, `$1${REDACTED}`);
}

/** redactSecrets removes each known secret value (and secret query parameters) from a text. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = redactUrl(text);
  for (const secret of secrets) if (secret && secret.length >= 4) out = out.split(secret).join(REDACTED);
  return out;
}
