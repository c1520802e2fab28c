/**
 * The CLI's HTTP client for the manager API. Which manager, with which admin token and CA, comes
 * from context/resolve.ts (--host, --context, KELVIN_HOST, KELVIN_CONTEXT, the current context, the
 * manager on this host). Every failure becomes one CliError line that says where the address came
 * from and how to point the CLI elsewhere.
 */
import { CliError } from './errors.js';
import { ADMIN_TOKEN_FILE, resolveEndpoint, type Endpoint } from './context/resolve.js';
import { globalFlags } from './global-flags.js';
import { httpFetch } from './http-request.js';

export { ADMIN_TOKEN_FILE, DEFAULT_HOST } from './context/resolve.js';

export type ClientConfig = Pick<Endpoint, 'host' | 'token'> & Partial<Pick<Endpoint, 'caPem' | 'source'>>;

/** The manager answered with an error: status and code kept for callers that react to them. */
export class ApiRequestError extends CliError {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message, 1);
    this.name = 'ApiRequestError';
  }
}

const POINT_ELSEWHERE = 'point the CLI at the manager with --host URL, KELVIN_HOST=URL or a context (kelvin context create / use)';

type Query = Record<string, string | number | boolean | null | undefined>;

function describeNetworkError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code === 'ECONNREFUSED') return 'connection refused';
  if (cause?.code === 'ENOTFOUND') return 'host not found';
  // A manager serving HTTPS beyond loopback uses a certificate from its own cluster CA.
  if (cause?.code === 'SELF_SIGNED_CERT_IN_CHAIN' || cause?.code === 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY') {
    return `${cause.message} (trust the manager's <data dir>/tls/ca.pem: kelvin context create --ca-file, or NODE_EXTRA_CA_CERTS)`;
  }
  return cause?.message ?? (err instanceof Error ? err.message : String(err));
}

export class KelvinClient {
  constructor(private readonly config: ClientConfig) {}

  /** The manager the global flags and environment point at. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): KelvinClient {
    return new KelvinClient(resolveEndpoint(globalFlags(), env));
  }

  /** `http(s)://host:port` of the manager this client talks to. */
  get host(): string {
    return this.config.host;
  }

  private get from(): string {
    return this.config.source ? ` (from ${this.config.source})` : '';
  }

  get<T>(path: string, query: Query = {}): Promise<T> {
    return this.request<T>('GET', path, query, undefined);
  }

  post<T>(path: string, body: unknown = {}, query: Query = {}): Promise<T> {
    return this.request<T>('POST', path, query, body);
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, {}, body);
  }

  delete<T>(path: string, query: Query = {}): Promise<T> {
    return this.request<T>('DELETE', path, query, undefined);
  }

  /** Reads a newline-delimited JSON stream, calling `onItem` per object, until the server ends it. */
  async stream<T>(path: string, query: Query, onItem: (item: T) => void): Promise<void> {
    const res = await this.send('GET', path, query, undefined);
    if (!res.body) return;
    const decoder = new TextDecoder();
    let buffered = '';
    try {
      for await (const part of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffered += decoder.decode(part, { stream: true });
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          // Empty lines are the server's keep-alives.
          if (line) onItem(JSON.parse(line) as T);
        }
      }
    } catch (err) {
      throw new CliError(`the stream from the manager at ${this.config.host} broke off: ${describeNetworkError(err)}`);
    }
  }

  private async request<T>(method: string, path: string, query: Query, body: unknown): Promise<T> {
    const res = await this.send(method, path, query, body);
    const text = await res.text();
    return (text ? JSON.parse(text) : null) as T;
  }

  private async send(method: string, path: string, query: Query, body: unknown): Promise<Response> {
    const url = new URL(`${this.config.host}/v1${path}`);
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== false) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.config.token) headers.authorization = `Bearer ${this.config.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await httpFetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), ca: this.config.caPem ?? null });
    } catch (err) {
      throw new CliError(`cannot reach the manager at ${this.config.host}${this.from}: ${describeNetworkError(err)}; ${POINT_ELSEWHERE}`);
    }
    if (res.ok) return res;
    const text = await res.text();
    let code = 'error';
    let message = `the manager answered ${res.status} ${res.statusText}`;
    try {
      const parsed = JSON.parse(text) as { error?: { code?: string; message?: string } };
      code = parsed.error?.code ?? code;
      message = parsed.error?.message ?? message;
    } catch {
      // not our error shape; keep the status line
    }
    if (res.status === 401) {
      message = `${message} at ${this.config.host}${this.from} (set KELVIN_TOKEN to the manager's admin token, found in <data dir>/${ADMIN_TOKEN_FILE}, or use a context made with --token-file)`;
    }
    throw new ApiRequestError(res.status, code, message);
  }
}
