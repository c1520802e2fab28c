import type { Server } from 'node:net';

/** Listens and resolves once bound, or rejects with the bind error (port in use, bad address). */
export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
