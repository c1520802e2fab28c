/**
 * A small typed Docker Engine API client over the engine's unix socket (node:http, no dockerode:
 * it would drag ssh2, native cpu-features and grpc onto every board for a dozen endpoints).
 * It negotiates the API version once, bounds every request with a timeout, and maps failures to
 * RuntimeError: an unreachable engine or a 5xx is temporary (retry), a 4xx is permanent.
 */
import http, { type IncomingMessage } from 'node:http';
import { RuntimeError } from '../types.js';
import type { EngineVersion } from './engine-types.js';

/** Newest API version Kelvin speaks; an older engine is addressed with its own version. */
export const MAX_API_VERSION = '1.41';

export interface EngineClientOptions {
  socketPath: string;
  /** Deadline for ordinary JSON requests. */
  requestTimeoutMs?: number;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Deadline: for request() the whole exchange, for stream() until the answer starts; null waits forever (container wait). */
  timeoutMs?: number | null;
  signal?: AbortSignal;
  /** request() only: an answer longer than this is cut off and fails (temporary); default unbounded (the local engine). */
  maxBytes?: number;
}

export interface EngineResponse<T> {
  status: number;
  body: T;
}

/**
 * A failed engine call; `status` is the HTTP status, or null when the engine was not reached;
 * `detail` is the engine's own message.
 */
export class EngineError extends RuntimeError {
  constructor(
    message: string,
    kind: 'temporary' | 'permanent',
    readonly status: number | null,
    readonly detail: string = message,
  ) {
    super(message, kind);
    this.name = 'EngineError';
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof EngineError && err.status === 404;
}

const DEFAULT_TIMEOUT_MS = 10_000;

export class EngineClient {
  readonly socketPath: string;
  private readonly requestTimeoutMs: number;
  private readonly agent = new http.Agent({ keepAlive: true });
  private apiVersion: Promise<string> | null = null;

  constructor(options: EngineClientOptions) {
    this.socketPath = options.socketPath;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** True when the engine answers GET /_ping with OK within `timeoutMs`. */
  async ping(timeoutMs: number): Promise<boolean> {
    try {
      const res = await this.send('GET', '/_ping', { timeoutMs });
      const text = await readBody(res);
      return res.statusCode === 200 && text.trim() === 'OK';
    } catch {
      return false;
    }
  }

  /** The API version used for every call: the engine's own, capped at MAX_API_VERSION. */
  version(): Promise<string> {
    if (!this.apiVersion) {
      this.apiVersion = this.negotiate();
      // A failed negotiation (engine down) is retried on the next call, not remembered.
      this.apiVersion.catch(() => (this.apiVersion = null));
    }
    return this.apiVersion;
  }

  /** A JSON request; statuses >= 400 throw EngineError. 204/304 give an undefined body. */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<EngineResponse<T>> {
    const res = await this.send(method, await this.versioned(path), options);
    const text = await readBody(res, options.maxBytes);
    const status = res.statusCode ?? 0;
    if (status >= 400) throw statusError(method, path, status, text);
    return { status, body: (text === '' ? undefined : parseJson(text, method, path)) as T };
  }

  /** A streaming request (logs, pull): the caller reads the response; statuses >= 400 throw. */
  async stream(method: string, path: string, options: RequestOptions = {}): Promise<IncomingMessage> {
    const res = await this.send(method, await this.versioned(path), options, 'headers');
    const status = res.statusCode ?? 0;
    if (status >= 400) throw statusError(method, path, status, await readBody(res));
    return res;
  }

  private async negotiate(): Promise<string> {
    const res = await this.send('GET', '/version', {});
    const text = await readBody(res);
    if ((res.statusCode ?? 0) >= 400) throw statusError('GET', '/version', res.statusCode ?? 0, text);
    const engine = parseJson(text, 'GET', '/version') as EngineVersion;
    return compareVersions(engine.ApiVersion, MAX_API_VERSION) < 0 ? engine.ApiVersion : MAX_API_VERSION;
  }

  private async versioned(path: string): Promise<string> {
    return `/v${await this.version()}${path}`;
  }

  /** `deadline`: 'body' bounds the whole exchange (JSON), 'headers' only the wait for an answer (streams). */
  private send(method: string, path: string, options: RequestOptions, deadline: 'body' | 'headers' = 'body'): Promise<IncomingMessage> {
    const query = encodeQuery(options.query);
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const timeoutMs = options.timeoutMs === undefined ? this.requestTimeoutMs : options.timeoutMs;
    return new Promise((resolve, reject) => {
      const req = http.request({
        socketPath: this.socketPath,
        agent: this.agent,
        method,
        path: query ? `${path}?${query}` : path,
        headers: payload === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) },
        signal: options.signal,
      });
      const timer =
        timeoutMs === null
          ? null
          : setTimeout(() => {
              req.destroy(new EngineError(`docker engine did not answer ${method} ${path} within ${timeoutMs} ms`, 'temporary', null));
            }, timeoutMs);
      const clear = (): void => {
        if (timer) clearTimeout(timer);
      };
      req.on('response', (res) => {
        if (deadline === 'headers') clear();
        res.on('end', clear);
        res.on('close', clear);
        resolve(res);
      });
      req.on('error', (err) => {
        clear();
        reject(connectionError(err, method, path, this.socketPath));
      });
      req.end(payload);
    });
  }
}

function connectionError(err: Error, method: string, path: string, socketPath: string): Error {
  if (err instanceof EngineError || err.name === 'AbortError') return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES') {
    return new EngineError(`permission denied on the docker socket ${socketPath} (is the agent's user in the docker group?)`, 'permanent', null);
  }
  return new EngineError(`docker engine unreachable at ${socketPath} (${method} ${path}): ${err.message}`, 'temporary', null);
}

function statusError(method: string, path: string, status: number, text: string): EngineError {
  let message = text.trim();
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed.message === 'string') message = parsed.message;
  } catch {
    // not JSON: keep the raw text
  }
  return new EngineError(`docker ${method} ${path} failed (${status}): ${message}`, status >= 500 ? 'temporary' : 'permanent', status, message);
}

function parseJson(text: string, method: string, path: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new EngineError(`docker ${method} ${path}: engine sent invalid JSON`, 'temporary', null);
  }
}

function encodeQuery(query: RequestOptions['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.set(key, String(value));
  }
  return params.toString();
}

export function readBody(res: IncomingMessage, maxBytes = Infinity): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    res.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxBytes) res.destroy(new EngineError(`docker engine answer over ${maxBytes} bytes`, 'temporary', null));
      else chunks.push(chunk);
    });
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
    // Settles nothing when 'end' or 'error' came first; catches a connection cut mid-body.
    res.on('close', () => reject(new EngineError('docker engine closed the connection mid-response', 'temporary', null)));
  });
}

/** Compares dotted API versions numerically ("1.9" < "1.41"). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}
