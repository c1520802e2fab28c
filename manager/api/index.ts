/**
 * Puts the HTTP API on a running manager: the logs relay on the manager's MQTT client, the routes
 * over its Cluster facade, and the server. The `kelvin manager` command and tests both use this.
 */
import type { Logger } from '../../shared/logger.js';
import { allNodesTopic, nodeTopic } from '../../shared/topics.js';
import { encode } from '../../shared/wire.js';
import { LogsRelay } from '../logs-relay.js';
import type { RunningManager } from '../manager.js';
import { dashboardPages } from './dashboard/pages.js';
import { DashboardSessions } from './dashboard/sessions.js';
import { buildRoutes } from './routes.js';
import { startApiServer, type ApiServer } from './server.js';

export { ApiError } from './errors.js';
export type { ApiServer } from './server.js';
export type * from './views.js';

export interface ApiOptions {
  host: string;
  port: number;
  /** `mqtt://host:port` boards should join through, shown with the join token. */
  brokerUrl: string;
  logger: Logger;
  /** Serve HTTPS with this certificate (the manager's, when the API listens beyond loopback). */
  tls?: { cert: string; key: string } | null;
}

export async function startApi(manager: RunningManager, options: ApiOptions): Promise<ApiServer> {
  const logs = new LogsRelay({
    publishRequest: (nodeId, request) => {
      manager.mqtt.publish(nodeTopic(nodeId, 'logs-request'), encode(request), { qos: 1, retain: false });
    },
  });
  manager.onNodeMessage((message) => logs.handle(message));
  await manager.mqtt.subscribeAsync(allNodesTopic('logs'), { qos: 1 });
  const sessions = new DashboardSessions(() => manager.options.clock.now());
  return startApiServer({
    host: options.host,
    port: options.port,
    router: buildRoutes({
      cluster: manager.cluster,
      policy: manager.policy,
      alerts: manager.alerts,
      transaction: (fn) => manager.store.transaction(fn),
      logs,
      brokerUrl: options.brokerUrl,
      metrics: manager.metrics,
      materials: manager.materials,
      history: manager.history,
      sessions,
      onTelemetry: (listener) => {
        manager.store.on('telemetry', listener);
        return () => void manager.store.off('telemetry', listener);
      },
    }),
    verifyToken: (token) => manager.cluster.verifyAdminToken(token),
    hasSession: (req) => sessions.hasSession(req),
    pages: dashboardPages(sessions, Boolean(options.tls)),
    tls: options.tls ?? null,
    logger: options.logger,
  });
}
