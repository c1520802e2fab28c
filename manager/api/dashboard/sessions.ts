/**
 * Dashboard logins without the admin token in a URL: `kelvin dashboard` (holding the token) asks
 * for a one-time login link that lives a minute; opening it trades the link's token for a session
 * id in an HttpOnly, SameSite=Strict cookie. Both live in memory only (a restarted manager asks
 * for a new link) and both tables are bounded, oldest evicted first.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const LOGIN_LINK_TTL_MS = 60_000;
export const SESSION_TTL_MS = 12 * 3_600_000;
const MAX_LINKS = 64;
const MAX_SESSIONS = 256;
export const SESSION_COOKIE = 'kelvin_session';

/** Expiry per secret; insertion order is age order, so the first key is the oldest. */
class ExpiringSecrets {
  private readonly byId = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly max: number,
    private readonly now: () => number,
  ) {}

  issue(): { secret: string; expiresAt: number } {
    this.prune();
    while (this.byId.size >= this.max) this.byId.delete(this.byId.keys().next().value as string);
    const secret = randomBytes(32).toString('base64url');
    const expiresAt = this.now() + this.ttlMs;
    this.byId.set(secret, expiresAt);
    return { secret, expiresAt };
  }

  valid(secret: string): boolean {
    const at = this.byId.get(secret);
    if (at === undefined) return false;
    if (at > this.now()) return true;
    this.byId.delete(secret);
    return false;
  }

  take(secret: string): boolean {
    const ok = this.valid(secret);
    this.byId.delete(secret);
    return ok;
  }

  private prune(): void {
    const now = this.now();
    for (const [id, at] of this.byId) if (at <= now) this.byId.delete(id);
  }
}

export class DashboardSessions {
  private readonly links: ExpiringSecrets;
  private readonly sessions: ExpiringSecrets;

  constructor(now: () => number = Date.now) {
    this.links = new ExpiringSecrets(LOGIN_LINK_TTL_MS, MAX_LINKS, now);
    this.sessions = new ExpiringSecrets(SESSION_TTL_MS, MAX_SESSIONS, now);
  }

  /** A one-time login token (for `/ui/login?token=`). */
  issueLoginToken(): { token: string; expiresAt: number } {
    const { secret, expiresAt } = this.links.issue();
    return { token: secret, expiresAt };
  }

  /** Spends a login token: a new session id, or null when the token is unknown, used or expired. */
  exchange(token: string): string | null {
    return this.links.take(token) ? this.sessions.issue().secret : null;
  }

  /** True when the request carries a live session cookie. */
  hasSession(req: IncomingMessage): boolean {
    const id = sessionCookie(req);
    return id !== null && this.sessions.valid(id);
  }
}

function sessionCookie(req: IncomingMessage): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === SESSION_COOKIE) return rest.join('=') || null;
  }
  return null;
}

export function sessionCookieHeader(id: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${id}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_TTL_MS / 1000}${secure ? '; Secure' : ''}`;
}
