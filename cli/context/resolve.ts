/**
 * Which manager a client command talks to, with docker's precedence: `--host` or `--context`
 * (not both), then KELVIN_HOST, then KELVIN_CONTEXT, then the context `kelvin context use` chose,
 * then the default context: the manager on this host (its `api.json`), else http://127.0.0.1:8080.
 * KELVIN_TOKEN, when set, is the admin token whatever the endpoint; otherwise a context brings its
 * own and the default context reads the local manager's admin token file.
 */
import { join } from 'node:path';
import { defaultDataDir } from '../../manager/options.js';
import { UsageError } from '../errors.js';
import { readApiInfo, readTrimmed } from './local-manager.js';
import { ContextStore, DEFAULT_CONTEXT } from './store.js';

export const DEFAULT_HOST = 'http://127.0.0.1:8080';
export const ADMIN_TOKEN_FILE = 'admin.token';

export interface Endpoint {
  host: string;
  token: string | null;
  /** PEM of the CA that signs the manager's HTTPS certificate; null: the system's CAs. */
  caPem: string | null;
  /** Where `host` came from, for error messages: `KELVIN_HOST`, `context "lab"`, ... */
  source: string;
}

export interface EndpointFlags {
  host?: string;
  context?: string;
}

export interface ResolveDeps {
  store?: ContextStore;
  dataDir?: string;
}

export function checkHost(host: string, from: string): string {
  const trimmed = host.trim().replace(/\/+$/, '');
  if (!/^https?:\/\/[^/\s]+$/.test(trimmed)) throw new UsageError(`${from}: '${host}' is not http(s)://HOST:PORT`);
  return trimmed;
}

function readCa(file: string | null): string | null {
  return file === null ? null : readTrimmed(file);
}

/** The default context: KELVIN_HOST, else the manager on this host, else the default address. */
function defaultEndpoint(env: NodeJS.ProcessEnv, dataDir: string, hostFrom?: { host: string; source: string }): Endpoint {
  const local = readApiInfo(dataDir);
  const localToken = readTrimmed(local?.adminTokenFile ?? join(dataDir, ADMIN_TOKEN_FILE));
  if (hostFrom) return { host: hostFrom.host, token: localToken, caPem: local?.url === hostFrom.host ? readCa(local.caFile) : null, source: hostFrom.source };
  if (local) return { host: local.url, token: localToken, caPem: readCa(local.caFile), source: `the manager on this host (${join(dataDir, 'api.json')})` };
  return { host: DEFAULT_HOST, token: localToken, caPem: null, source: 'the default address' };
}

function contextEndpoint(name: string, how: string, store: ContextStore, env: NodeJS.ProcessEnv, dataDir: string): Endpoint {
  if (name === DEFAULT_CONTEXT) return defaultEndpoint(env, dataDir);
  const context = store.get(name);
  if (!context) throw new UsageError(`${how}: no context named '${name}' (see: kelvin context ls)`);
  return { host: context.host, token: context.token, caPem: context.caPem, source: `context "${name}"` };
}

export function resolveEndpoint(flags: EndpointFlags, env: NodeJS.ProcessEnv = process.env, deps: ResolveDeps = {}): Endpoint {
  const store = deps.store ?? new ContextStore();
  const dataDir = deps.dataDir ?? defaultDataDir();
  if (flags.host !== undefined && flags.context !== undefined) throw new UsageError('conflicting options: either --host or --context, not both');
  const envHost = env.KELVIN_HOST?.trim();
  const envContext = env.KELVIN_CONTEXT?.trim();
  const endpoint =
    flags.context !== undefined
      ? contextEndpoint(flags.context, '--context', store, env, dataDir)
      : flags.host !== undefined
        ? defaultEndpoint(env, dataDir, { host: checkHost(flags.host, '--host'), source: '--host' })
        : envHost
          ? defaultEndpoint(env, dataDir, { host: checkHost(envHost, 'KELVIN_HOST'), source: 'KELVIN_HOST' })
          : envContext
            ? contextEndpoint(envContext, 'KELVIN_CONTEXT', store, env, dataDir)
            : (() => {
                const current = store.current();
                return current === null ? defaultEndpoint(env, dataDir) : contextEndpoint(current, `current context (${store.dir}/config.json)`, store, env, dataDir);
              })();
  const envToken = env.KELVIN_TOKEN?.trim();
  return envToken ? { ...endpoint, token: envToken } : endpoint;
}
