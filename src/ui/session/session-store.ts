import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * SessionStore: browser sessions of the console, held in this process's memory. A session id is
 * 32 random bytes (the cookie carries only that); each session has its own CSRF token, an absolute
 * expiry, and the fingerprint of the credentials it was opened with, so changing `server.auth`
 * (and reloading) ends every session opened with the old ones. Bounded: the oldest session goes
 * when MAX_SESSIONS is reached. With several replicas a session is valid on the replica that
 * issued it (the API clients' bearer and basic auth work everywhere).
 */
export const SESSION_TTL_MS = 12 * 3_600_000;
const MAX_SESSIONS = 1000;

export interface Session {
  id: string;
  csrf: string;
  user: string;
  expiresAt: number;
  credentials: string;
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly clock: () => number = Date.now) {}

  /** open starts a session for `user`, signed in with the credential set whose fingerprint is given. */
  open(user: string, credentials: string): Session {
    this.sweep();
    if (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    const session: Session = { id: randomBytes(32).toString('base64url'), csrf: randomBytes(32).toString('base64url'), user, expiresAt: this.clock() + SESSION_TTL_MS, credentials };
    this.sessions.set(session.id, session);
    return session;
  }

  /** find returns the live session for a cookie value, or undefined (unknown, expired, or old credentials). */
  find(id: string | undefined, credentials: string): Session | undefined {
    if (!id) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    if (session.expiresAt <= this.clock() || session.credentials !== credentials) {
      this.sessions.delete(id);
      return undefined;
    }
    return session;
  }

  close(id: string | undefined): void {
    if (id) this.sessions.delete(id);
  }

  private sweep(): void {
    const now = this.clock();
    for (const [id, session] of this.sessions) if (session.expiresAt <= now) this.sessions.delete(id);
  }
}

/** sameToken compares a submitted CSRF token with the session's in constant time. */
export function sameToken(submitted: string | undefined, expected: string): boolean {
  if (typeof submitted !== 'string') return false;
  const hash = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(hash(submitted), hash(expected));
}

/** credentialFingerprint identifies a credential set without keeping it (sessions end when it changes). */
export function credentialFingerprint(auth: { bearer_tokens: string[]; basic?: { username: string; password?: string } } | undefined): string {
  return createHash('sha256').update(JSON.stringify([auth?.bearer_tokens ?? [], auth?.basic?.username ?? '', auth?.basic?.password ?? ''])).digest('hex');
}
