/**
 * Long-lived responses as newline-delimited JSON: one object per line, flushed as it comes, so
 * `curl -N` and the CLI can read a stream line by line. A periodic empty line keeps proxies and
 * idle timeouts from closing a quiet stream, and reveals a vanished client.
 */
import type { ServerResponse } from 'node:http';

export interface NdjsonWriter {
  write(value: unknown): void;
  end(): void;
}

export function startNdjson(res: ServerResponse, keepAliveMs = 15_000): NdjsonWriter {
  res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
  res.flushHeaders();
  const timer = setInterval(() => res.write('\n'), keepAliveMs);
  timer.unref();
  res.once('close', () => clearInterval(timer));
  return {
    write: (value) => {
      if (!res.writableEnded) res.write(`${JSON.stringify(value)}\n`);
    },
    end: () => {
      clearInterval(timer);
      if (!res.writableEnded) res.end();
    },
  };
}
