import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type StandInEngine = Awaited<ReturnType<typeof standInEngine>>;

/**
 * A stand-in engine on a real unix socket, for the answers a healthy engine will not give on
 * demand (an old API version, a 500, silence, a registry's manifest list).
 */
export function standInEngine(handler: http.RequestListener): Promise<{ socketPath: string; paths: string[]; close: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'kelvin-engine-'));
  const socketPath = join(dir, 'docker.sock');
  const paths: string[] = [];
  const server = http.createServer((req, res) => {
    paths.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  return new Promise((resolve) =>
    server.listen(socketPath, () =>
      resolve({
        socketPath,
        paths,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => {
              rmSync(dir, { recursive: true, force: true });
              done();
            });
          }),
      }),
    ),
  );
}

export function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

