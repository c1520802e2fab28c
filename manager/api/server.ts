/**
 * The HTTP API on node:http: every `/v1` route behind the admin bearer token or a dashboard session, JSON in and out,
 * one error shape. A handler's ApiError becomes its status, a write the full data disk refused a
 * 507; anything else is logged and answered 500 without internals, so no request can crash the
 * manager. A client's mistake (bad target, body, token) is answered, never logged with a stack.
 */
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../shared/logger.js';
import { authenticate } from './auth.js';
import type { DashboardPages } from './dashboard/pages.js';
import { ClusterError } from '../cluster.js';
import { DataDiskFullError } from '../store/disk-full.js';
import { ApiError, badRequest, errorBody, notFound } from './errors.js';
import type { Router } from './router.js';
import { listen } from '../listen.js';

export interface ApiServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  router: Router;
  /** True for the admin token (compared in constant time by the caller). */
  verifyToken: (token: string) => boolean;
  /** True when a request carries a live dashboard session cookie; absent: bearer tokens only. */
  hasSession?: (req: IncomingMessage) => boolean;
  /** The dashboard's pages (served without a credential; they hold no cluster data). */
  pages?: DashboardPages;
  logger: Logger;
  /** Certificate chain and key (PEM): serve HTTPS. Absent: plain HTTP (on loopback). */
  tls?: { cert: string; key: string } | null;
}

export interface ApiServer {
  /** `http(s)://host:port` as clients reach it. */
  readonly url: string;
  readonly port: number;
  /** Serves a renewed certificate to new connections (HTTPS only). */
  setTls(tls: { cert: string; key: string }): void;
  close(): Promise<void>;
}

/** The facade's refusals, as HTTP statuses. */
const CLUSTER_STATUS: Record<ClusterError['code'], [number, string]> = {
  'not-found': [404, 'not_found'],
  conflict: [409, 'conflict'],
  invalid: [400, 'bad_request'],
  ambiguous: [400, 'ambiguous'],
};

function asApiError(err: unknown): ApiError | null {
  if (err instanceof ApiError) return err;
  if (err instanceof ClusterError) {
    const [status, code] = CLUSTER_STATUS[err.code];
    return new ApiError(status, code, err.message);
  }
  if (err instanceof DataDiskFullError) return new ApiError(507, 'insufficient_storage', err.message);
  return null;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The request target: a path, or the absolute form (`GET http://host/v1/nodes`) HTTP/1.1 allows. */
function requestTarget(req: IncomingMessage): URL {
  try {
    return new URL(req.url ?? '/', 'http://kelvin.invalid');
  } catch {
    throw badRequest('the request target is neither a path nor an absolute URL');
  }
}

async function handle(options: ApiServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = requestTarget(req);
  if (options.pages?.serve(req, res, url)) return;
  authenticate(req, options);
  const match = options.router.match(req.method ?? 'GET', url.pathname);
  if (match.kind === 'not-found') throw notFound(`no such endpoint: ${req.method} ${url.pathname}`);
  if (match.kind === 'method-not-allowed') {
    res.setHeader('allow', match.allowed.join(', '));
    throw new ApiError(405, 'method_not_allowed', `${req.method} is not allowed on ${url.pathname} (allowed: ${match.allowed.join(', ')})`);
  }
  const abort = new AbortController();
  res.once('close', () => abort.abort());
  const reply = await match.handler({ req, res, params: match.params, query: url.searchParams, signal: abort.signal });
  if (reply) sendJson(res, reply.status, reply.body);
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { logger } = options;
  const onRequest: RequestListener = (req, res) => {
    handle(options, req, res).catch((err: unknown) => {
      const apiErr = asApiError(err);
      // A client that hung up mid-request (its upload cut short) made no mistake of ours to trace.
      if (!apiErr && req.destroyed) logger.debug({ method: req.method, err: String(err) }, 'API request abandoned by the client');
      else if (!apiErr) logger.error({ err, method: req.method, url: req.url }, 'API request failed');
      if (res.headersSent) {
        // Mid-stream: the status is gone already; cutting the response tells the client.
        res.destroy();
        return;
      }
      const e = apiErr ?? new ApiError(500, 'internal', 'internal error; see the manager log');
      sendJson(res, e.status, errorBody(e));
      // A refused upload is not read to its end: close rather than drain it.
      if (e.status === 413) res.once('finish', () => req.destroy());
    });
  };
  const httpsServer = options.tls ? createHttpsServer(options.tls, onRequest) : null;
  const server = httpsServer ?? createServer(onRequest);
  await listen(server, options.port, options.host);
  const port = (server.address() as AddressInfo).port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `${options.tls ? 'https' : 'http'}://${host}:${port}`,
    port,
    setTls: (tls) => httpsServer?.setSecureContext({ cert: tls.cert, key: tls.key }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
