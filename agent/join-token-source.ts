/**
 * Where an agent's join token comes from: `--token`, else KELVIN_JOIN_TOKEN, else (deprecated, the
 * old meaning) KELVIN_TOKEN with a one-line warning. KELVIN_TOKEN is now the CLI's admin token, so
 * an agent handed the admin token (by flag or either variable) refuses it at once with a line that
 * says which token it needs, instead of retrying a broker that answers "Bad username or password".
 */
import { UsageError } from '../cli/errors.js';

export const JOIN_TOKEN_ENV = 'KELVIN_JOIN_TOKEN';
export const ADMIN_TOKEN_ENV = 'KELVIN_TOKEN';

/** The manager's admin token is 32 random bytes in lower-case base32 (52 characters, no prefix). */
export function looksLikeAdminToken(token: string): boolean {
  return /^[a-z2-7]{52}$/.test(token);
}

function refuseAdminToken(where: string, token: string): string {
  if (looksLikeAdminToken(token)) {
    throw new UsageError(`${where}: this is the manager's admin token (for the CLI, in KELVIN_TOKEN); an agent joins with the join token: kelvin join-token -q, given as --token or ${JOIN_TOKEN_ENV}`);
  }
  return token;
}

export type Warn = (line: string) => void;

const warnOnStderr: Warn = (line) => void process.stderr.write(`${line}\n`);

export function joinTokenFrom(flag: unknown, env: NodeJS.ProcessEnv, warn: Warn = warnOnStderr): string | undefined {
  if (typeof flag === 'string') return refuseAdminToken('--token', flag);
  const joinToken = env[JOIN_TOKEN_ENV]?.trim();
  if (joinToken) return refuseAdminToken(JOIN_TOKEN_ENV, joinToken);
  const old = env[ADMIN_TOKEN_ENV]?.trim();
  if (!old) return undefined;
  refuseAdminToken(ADMIN_TOKEN_ENV, old);
  warn(`kelvin: warning: the join token in ${ADMIN_TOKEN_ENV} is deprecated (${ADMIN_TOKEN_ENV} is the CLI's admin token); set ${JOIN_TOKEN_ENV} instead`);
  return old;
}
