import type { Request, Response } from 'express';

/**
 * The console's session cookie: HttpOnly (scripts never see it), SameSite=Strict (never sent on a
 * cross-site request), Secure when the console is reached over HTTPS (directly, through a proxy
 * that says so, or when server.external_url is https), Path=/ so a proxy prefix does not matter.
 */
export const SESSION_COOKIE = 'wecom_console_session';

/** readSessionCookie returns the session id from the Cookie header, if any. */
export function readSessionCookie(req: Request): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

/** isHttps: the browser reached us over HTTPS (so the cookie must be Secure). */
export function isHttps(req: Request, externalUrl?: string): boolean {
  return req.secure || String(req.headers['x-forwarded-proto'] ?? '').split(',')[0].trim() === 'https' || Boolean(externalUrl?.startsWith('https:'));
}

/** setSessionCookie issues (maxAgeMs > 0) or clears (0) the session cookie. */
export function setSessionCookie(res: Response, value: string, maxAgeMs: number, secure: boolean): void {
  const attributes = [`${SESSION_COOKIE}=${encodeURIComponent(value)}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${Math.floor(maxAgeMs / 1000)}`];
  if (secure) attributes.push('Secure');
  res.append('Set-Cookie', attributes.join('; '));
}
