/** A real HTTP receiver for `--alert-webhook`: keeps every alert POSTed to it, in arrival order. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Alert } from '../../shared/payloads/alert.js';

export interface WebhookReceiver {
  /** http://127.0.0.1:PORT/hook */
  url: string;
  alerts: Alert[];
  /** Alerts of this kind received so far, optionally only for one node. */
  ofKind(kind: Alert['kind'], nodeId?: string): Alert[];
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const alerts: Alert[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      try {
        alerts.push(JSON.parse(body) as Alert);
        res.writeHead(204).end();
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    alerts,
    ofKind: (kind, nodeId) => alerts.filter((a) => a.kind === kind && (nodeId === undefined || a.nodeId === nodeId)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
