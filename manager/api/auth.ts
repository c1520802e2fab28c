/** Bearer-token check: the admin token's hash is compared in constant time; the token is never logged. */
import type { IncomingMessage } from 'node:http';
import { unauthorized } from './errors.js';

export function requireAdminToken(req: IncomingMessage, verify: (token: string) => boolean): void {
  const header = req.headers.authorization;
  if (!header) throw unauthorized('missing Authorization header: send "Authorization: Bearer <admin token>"');
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m?.[1]) throw unauthorized('Authorization header is not "Bearer <token>"');
  if (!verify(m[1])) throw unauthorized('invalid admin token');
}
