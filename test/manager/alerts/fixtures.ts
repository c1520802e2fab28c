/** Shared by the alert tests: a valid alert, and a real HTTP receiver on loopback that records POSTs. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import type { Logger } from '../../../shared/logger.js';
import type { Alert } from '../../../shared/payloads/alert.js';

export function makeAlert(n: number, overrides: Partial<Alert> = {}): Alert {
  return {
    v: 1,
    id: `alert-${n}`,
    kind: 'thermal.throttle',
    severity: 'warning',
    nodeId: 'pi-1',
    message: `pi-1 at ${70 + n} C, throttling`,
    at: 1_700_000_000_000 + n * 1000,
    details: { tempC: 70 + n },
    ...overrides,
  };
}

export interface ReceivedPost {
  body: unknown;
  headers: IncomingMessage['headers'];
  atMs: number;
}

/** Decides each answer; may hold the response open by never calling respond. */
export type Responder = (post: ReceivedPost, index: number, respond: (status: number) => void) => void;

export interface Receiver {
  url: string;
  posts: ReceivedPost[];
  /** Resolves once `count` POSTs have arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(responder: Responder = (_p, _i, respond) => respond(200)): Promise<Receiver> {
  const posts: ReceivedPost[] = [];
  const waiters: (() => void)[] = [];
  const open = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const post = { body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown, headers: req.headers, atMs: performance.now() };
      posts.push(post);
      open.add(res);
      res.on('close', () => open.delete(res));
      responder(post, posts.length - 1, (status) => {
        if (!res.destroyed) res.writeHead(status).end();
      });
      for (const w of waiters.splice(0)) w();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook?token=secret`,
    posts,
    async waitFor(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (posts.length < count) {
        if (Date.now() > deadline) throw new Error(`receiver got ${posts.length} POSTs, expected ${count}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
    },
    async close() {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface CapturedLog {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** A real pino logger at debug level whose JSON lines land in `lines`. */
export function captureLogger(): { logger: Logger; lines: CapturedLog[] } {
  const lines: CapturedLog[] = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s) as CapturedLog) });
  return { logger, lines };
}

/** Polls `check` until it holds (or throws after `timeoutMs`). */
export async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
