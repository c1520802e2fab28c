/**
 * `GET /v1/dashboard/live`: what the dashboard shows, as server-sent events. The first events
 * carry everything (nodes, services with their tasks); after that, at most every FLUSH_MS, only
 * the nodes whose telemetry or record changed since, and the services again when a task or service
 * changed. Events and alerts go out as they happen. One timer per open page, whatever the fleet.
 */
import type { ServerResponse } from 'node:http';
import type { Alert } from '../../../shared/payloads/alert.js';
import type { Change } from '../../store/records.js';
import type { NodeView, ServiceView, TaskView } from '../views.js';

export const FLUSH_MS = 500;
const KEEPALIVE_MS = 15_000;

export interface LiveSources {
  nodes(ids?: ReadonlySet<string>): NodeView[];
  services(): { services: ServiceView[]; tasks: TaskView[] };
  subscribe(listener: (changes: Change[]) => void): () => void;
  onTelemetry(listener: (nodeId: string) => void): () => void;
  onAlert(listener: (alert: Alert) => void): () => void;
}

export function streamLive(res: ServerResponse, sources: LiveSources, signal: AbortSignal): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
  res.flushHeaders();
  const send = (event: string, data: unknown): void => {
    if (!res.writableEnded) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  send('nodes', sources.nodes());
  send('services', sources.services());

  const dirty = new Set<string>();
  const removed = new Set<string>();
  let servicesDirty = false;
  const unsubscribers = [
    sources.onTelemetry((id) => dirty.add(id)),
    sources.subscribe((changes) => {
      for (const c of changes) {
        if (c.kind === 'node') (c.after ? dirty : removed).add(c.id);
        else if (c.kind === 'task' || c.kind === 'service') servicesDirty = true;
        else if (c.kind === 'event') send('event', c.after);
      }
    }),
    sources.onAlert((alert) => send('alert', alert)),
  ];
  const flush = setInterval(() => {
    if (dirty.size > 0) send('nodes', sources.nodes(dirty));
    if (removed.size > 0) send('removed', [...removed]);
    if (servicesDirty) send('services', sources.services());
    dirty.clear();
    removed.clear();
    servicesDirty = false;
  }, FLUSH_MS);
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), KEEPALIVE_MS);
  signal.addEventListener('abort', () => {
    clearInterval(flush);
    clearInterval(keepAlive);
    for (const off of unsubscribers) off();
    if (!res.writableEnded) res.end();
  });
}
