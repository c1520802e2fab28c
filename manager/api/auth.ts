/**
 * Who may call the API: the admin bearer token (its hash compared in constant time by the caller;
 * the token is never logged), or a dashboard session cookie. A cookie is sent by the browser on its
 * own, so a change made with one must also carry the dashboard's CSRF header (a cross-site page
 * cannot set it without a CORS preflight this API never grants) and, when the browser names its
 * origin, come from the API's own.
 */
import type { IncomingMessage } from 'node:http';
import { ApiError, unauthorized } from './errors.js';

export const CSRF_HEADER = 'x-kelvin-csrf';

export function requireAdminToken(req: IncomingMessage, verify: (token: string) => boolean): void {
  const header = req.headers.authorization;
  if (!header) throw unauthorized('missing Authorization header: send "Authorization: Bearer <admin token>"');
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m?.[1]) throw unauthorized('Authorization header is not "Bearer <token>"');
  if (!verify(m[1])) throw unauthorized('invalid admin token');
}

export interface Authenticators {
  verifyToken: (token: string) => boolean;
  /** True when the request carries a live dashboard session; absent: bearer tokens only. */
  hasSession?: (req: IncomingMessage) => boolean;
}

export function authenticate(req: IncomingMessage, auth: Authenticators): 'token' | 'session' {
  if (req.headers.authorization !== undefined || !auth.hasSession?.(req)) {
    requireAdminToken(req, auth.verifyToken);
    return 'token';
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    if (req.headers[CSRF_HEADER] !== '1') throw new ApiError(403, 'forbidden', `a change made with a dashboard session needs the ${CSRF_HEADER}: 1 header`);
    const origin = req.headers.origin;
    if (origin !== undefined && !sameHost(origin, req.headers.host)) throw new ApiError(403, 'forbidden', `origin ${origin.slice(0, 100)} is not this manager's`);
  }
  return 'session';
}

function sameHost(origin: string, host: string | undefined): boolean {
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
