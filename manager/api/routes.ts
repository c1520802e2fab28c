/**
 * The `/v1` endpoints. Reads and changes all go through the Cluster facade; node, service and task
 * references are resolved there (id, unique id prefix, or hostname/name) so every command accepts
 * what `docker` would. Bodies are validated with zod before anything is touched.
 */
import { z } from 'zod';
import { ALERT_KINDS, type Alert } from '../../shared/payloads/alert.js';
import { boundedLabels, boundedList } from '../../shared/bounded.js';
import { MAX_LABEL_KEY_CHARS, MAX_LABELS } from '../../shared/limits.js';
import { serviceSpec } from '../../shared/service-spec.js';
import type { AlertBus, AlertKind, AlertQuery } from '../alerts/index.js';
import type { Cluster } from '../cluster.js';
import type { TelemetryHistory } from '../history/telemetry-history.js';
import type { LogsRelay } from '../logs-relay.js';
import type { ManagerMetrics } from '../metrics.js';
import type { PolicyEngine } from '../policy/index.js';
import type { NodeRecord, TaskRecord } from '../store/records.js';
import { readJson } from './body.js';
import { ApiError, badRequest, notFound } from './errors.js';
import { streamLive } from './dashboard/live.js';
import type { DashboardSessions } from './dashboard/sessions.js';
import { parseHistoryQuery } from './history-query.js';
import { sendLogs, type LogSource } from './logs-stream.js';
import { startNdjson } from './ndjson.js';
import { json, Router, type RouteContext } from './router.js';
import { addMaterialRoutes } from './material-routes.js';
import { applyStackMaterials, materialBody, removeStackMaterials } from '../secrets/stack-materials.js';
import type { Materials } from '../secrets/materials.js';
import { applyStack, removeStack, stackServices, stacks } from './stacks.js';
import { nodeView, serviceView, taskView, type JoinTokenView, type NodeView, type ServiceView } from './views.js';

export interface ApiDeps {
  cluster: Cluster;
  /** The heat and power policy's view of each node. */
  policy: Pick<PolicyEngine, 'view'>;
  alerts: Pick<AlertBus, 'list' | 'subscribe'>;
  /** Runs `fn` as one store transaction (stack deploys apply all or nothing). */
  transaction: <T>(fn: () => T) => T;
  logs: LogsRelay;
  /** `mqtt://host:port` boards join through (shown with the join token). */
  brokerUrl: string;
  /** Served in Prometheus text format on `GET /metrics`. */
  metrics: Pick<ManagerMetrics, 'render' | 'contentType'>;
  /** `kelvin secret` and `kelvin config`. */
  materials: Materials;
  history: Pick<TelemetryHistory, 'query'>;
  /** Dashboard login links and sessions. */
  sessions: Pick<DashboardSessions, 'issueLoginToken'>;
  /** Every telemetry sample taken in, by node id; returns the unsubscribe function. */
  onTelemetry: (listener: (nodeId: string) => void) => () => void;
}

const limitC = z.number().min(-50).max(200).nullable().optional();

const nodeUpdateBody = z
  .object({
    labelAdd: boundedLabels.default({}),
    labelRm: boundedList('labels', MAX_LABELS, MAX_LABEL_KEY_CHARS).default([]),
    availability: z.enum(['active', 'pause', 'drain']).optional(),
    /** Thermal limit overrides in C; null goes back to the profile's value. */
    thermal: z
      .object({ warnC: limitC, throttleC: limitC, criticalC: limitC, ambientWarnC: limitC, ambientThrottleC: limitC, ambientCriticalC: limitC })
      .strict()
      .default({}),
  })
  .strict();

const scaleBody = serviceSpec.pick({ replicas: true }).strict();
/** A whole new spec (the CLI reads, changes what the flags name, and sends it with the version it read), or --force alone. */
const updateBody = z
  .object({ spec: serviceSpec.optional(), force: z.boolean().optional(), version: z.number().int().positive().optional() })
  .strict()
  .refine((b) => b.spec !== undefined || b.force === true, 'nothing to update: give a spec or force');
/** `prune`: remove the stack's services the file no longer lists (`stack deploy --prune`); Swarm keeps them otherwise. */
const stackBody = z
  .object({
    services: z.array(serviceSpec).min(1),
    secrets: z.array(materialBody).default([]),
    configs: z.array(materialBody).default([]),
    prune: z.boolean().default(false),
  })
  .strict();
/** A stack's body may carry its secrets and configs (500 KiB each at most). */
const MAX_STACK_BODY_BYTES = 8 * 1024 * 1024;

function flag(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v === '1' || v === 'true';
}

function nonNegativeQuery(q: URLSearchParams, name: string): number | null {
  const v = q.get(name);
  if (v === null || v === '') return null;
  if (!/^\d+$/.test(v)) throw badRequest(`${name}: '${v}' is not a whole number`);
  return Number(v);
}

/** `?node=` (id, hostname or prefix), `?kind=`, `?since=` (ms) of `GET /v1/alerts`. */
function alertFilter(cluster: Cluster, q: URLSearchParams): AlertQuery {
  const node = q.get('node');
  const kind = q.get('kind');
  if (kind !== null && !(ALERT_KINDS as readonly string[]).includes(kind)) throw badRequest(`kind: '${kind}' is not one of ${ALERT_KINDS.join(', ')}`);
  return {
    nodeId: node === null || node === '' ? undefined : cluster.getNode(node).id,
    kind: kind === null ? undefined : (kind as AlertKind),
    since: nonNegativeQuery(q, 'since') ?? undefined,
  };
}

export function buildRoutes(deps: ApiDeps): Router {
  const { cluster } = deps;
  const allTasks = (): TaskRecord[] => cluster.listTasks();
  const viewOf = (node: NodeRecord, tasks: TaskRecord[]): NodeView => nodeView(node, cluster.telemetryOf(node.id), tasks, deps.policy.view(node.id));
  const nodes = (only?: ReadonlySet<string>): NodeView[] => {
    // Tasks grouped by node once: a view per node over every task would cost nodes x tasks.
    const byNode = new Map<string, TaskRecord[]>();
    for (const t of allTasks()) {
      if (t.nodeId === null) continue;
      const list = byNode.get(t.nodeId);
      if (list) list.push(t);
      else byNode.set(t.nodeId, [t]);
    }
    return cluster
      .listNodes()
      .filter((n) => only === undefined || only.has(n.id))
      .map((n) => viewOf(n, byNode.get(n.id) ?? []));
  };
  const services = (): ServiceView[] => {
    const tasks = allTasks();
    return cluster.listServices().map((s) => serviceView(s, tasks));
  };
  const joinToken = (): JoinTokenView => ({ token: cluster.joinToken(), brokerUrl: deps.brokerUrl });

  /** Logs of the given tasks from the nodes running them; unplaced tasks have none to give. */
  const logs = async (ctx: RouteContext, tasks: TaskRecord[]): Promise<void> => {
    const sources: LogSource[] = tasks.filter((t) => t.nodeId !== null).map((t) => ({ taskId: t.id, nodeId: t.nodeId as string }));
    await sendLogs(ctx.res, deps.logs, sources, { tail: nonNegativeQuery(ctx.query, 'tail'), follow: flag(ctx.query, 'follow'), signal: ctx.signal });
  };

  return addMaterialRoutes(
    deps.materials,
    new Router()
      // ---- nodes ----
      .add('GET', '/v1/nodes', () => json(nodes()))
      .add('GET', '/v1/nodes/:ref', ({ params }) => {
        return json(viewOf(cluster.getNode(params.ref ?? ''), allTasks()));
      })
      .add('GET', '/v1/nodes/:ref/history', ({ params, query }) => {
        const { sinceMs, resolution } = parseHistoryQuery(query);
        return json(deps.history.query(cluster.getNode(params.ref ?? '').id, sinceMs, resolution));
      })
      .add('POST', '/v1/nodes/:ref/update', async ({ req, params }) => {
        const body = await readJson(req, nodeUpdateBody);
        return json(viewOf(cluster.updateNode(params.ref ?? '', body), allTasks()));
      })
      .add('POST', '/v1/nodes/:ref/accept', ({ params }) => json(viewOf(cluster.acceptNode(params.ref ?? ''), allTasks())))
      .add('DELETE', '/v1/nodes/:ref', ({ params, query }) => {
        const node = cluster.getNode(params.ref ?? '');
        cluster.removeNode(node.id, { force: flag(query, 'force') });
        return json({ id: node.id });
      })
      // ---- services ----
      .add('GET', '/v1/services', () => json(services()))
      .add('POST', '/v1/services', async ({ req }) => {
        const spec = await readJson(req, serviceSpec);
        return json(serviceView(cluster.createService(spec), allTasks()), 201);
      })
      .add('GET', '/v1/services/:ref', ({ params }) => json(serviceView(cluster.getService(params.ref ?? ''), allTasks())))
      .add('GET', '/v1/services/:ref/tasks', ({ params }) => {
        return json(cluster.listTasks({ service: params.ref ?? '' }).map(taskView));
      })
      .add('POST', '/v1/services/:ref/scale', async ({ req, params }) => {
        const { replicas } = await readJson(req, scaleBody);
        return json(serviceView(cluster.scaleService(params.ref ?? '', replicas), allTasks()));
      })
      .add('POST', '/v1/services/:ref/update', async ({ req, params }) => {
        const body = await readJson(req, updateBody);
        return json(serviceView(cluster.updateService(params.ref ?? '', body), allTasks()));
      })
      .add('POST', '/v1/services/:ref/rollback', ({ params }) => json(serviceView(cluster.rollbackService(params.ref ?? ''), allTasks())))
      .add('DELETE', '/v1/services/:ref', ({ params }) => {
        const service = cluster.getService(params.ref ?? '');
        cluster.removeService(service.id);
        return json({ id: service.id, name: service.name });
      })
      .add('GET', '/v1/services/:ref/logs', async (ctx) => {
        await logs(ctx, cluster.listTasks({ service: ctx.params.ref ?? '', desiredState: 'running' }));
      })
      // ---- tasks ----
      .add('GET', '/v1/tasks', ({ query }) => {
        return json(cluster.listTasks({ service: query.get('service') ?? undefined, node: query.get('node') ?? undefined }).map(taskView));
      })
      .add('GET', '/v1/tasks/:ref', ({ params }) => json(taskView(cluster.getTask(params.ref ?? ''))))
      .add('GET', '/v1/tasks/:ref/logs', async (ctx) => {
        const task = cluster.getTask(ctx.params.ref ?? '');
        if (task.nodeId === null) throw notFound(`task ${task.id} has not been placed on a node, so it has no logs (${task.message || task.state})`);
        await logs(ctx, [task]);
      })
      // ---- stacks ----
      .add('GET', '/v1/stacks', () => json(stacks(cluster)))
      .add('PUT', '/v1/stacks/:name', async ({ req, params }) => {
        const { services: specs, secrets, configs, prune } = await readJson(req, stackBody, MAX_STACK_BODY_BYTES);
        return json(
          deps.transaction(() => {
            applyStackMaterials(deps.materials, 'secret', secrets);
            applyStackMaterials(deps.materials, 'config', configs);
            return applyStack(cluster, deps.transaction, params.name ?? '', specs, { prune });
          }),
        );
      })
      .add('GET', '/v1/stacks/:name/services', ({ params }) => {
        const tasks = allTasks();
        return json(stackServices(cluster, params.name ?? '').map((s) => serviceView(s, tasks)));
      })
      .add('GET', '/v1/stacks/:name/tasks', ({ params }) => {
        const ids = new Set(stackServices(cluster, params.name ?? '').map((s) => s.id));
        return json(allTasks().filter((t) => ids.has(t.serviceId)).map(taskView));
      })
      .add('DELETE', '/v1/stacks/:name', ({ params }) =>
        json(
          deps.transaction(() => {
            const removed = removeStack(cluster, deps.transaction, params.name ?? '');
            removeStackMaterials(deps.materials, params.name ?? '');
            return removed;
          }),
        ),
      )
      // ---- events ----
      .add('GET', '/v1/events', ({ res, query, signal }) => {
        const since = nonNegativeQuery(query, 'since') ?? 0;
        if (!flag(query, 'follow')) return json(cluster.events({ sinceMs: since }));
        const out = startNdjson(res);
        // Backlog and subscription happen in one synchronous step: no event can fall between them.
        for (const event of cluster.events({ sinceMs: since })) out.write(event);
        const unsubscribe = cluster.subscribe((changes) => {
          for (const c of changes) if (c.kind === 'event') out.write(c.after);
        });
        signal.addEventListener('abort', () => {
          unsubscribe();
          out.end();
        });
      })
      // ---- alerts ----
      .add('GET', '/v1/alerts', ({ res, query, signal }) => {
        const filter = alertFilter(cluster, query);
        const matches = (a: Alert): boolean => (filter.nodeId === undefined || a.nodeId === filter.nodeId) && (filter.kind === undefined || a.kind === filter.kind);
        if (!flag(query, 'follow')) return json(deps.alerts.list(filter));
        const out = startNdjson(res);
        // list() then subscribe() in one synchronous step: emit() is synchronous, so no alert falls between.
        for (const a of deps.alerts.list(filter)) out.write(a);
        const unsubscribe = deps.alerts.subscribe((a) => {
          if (matches(a)) out.write(a);
        });
        signal.addEventListener('abort', () => {
          unsubscribe();
          out.end();
        });
      })
      // ---- dashboard ----
      .add('POST', '/v1/dashboard/login-link', ({ req }) => {
        // Only the admin token mints links: a session cannot extend itself forever through them.
        if (req.headers.authorization === undefined) throw new ApiError(403, 'forbidden', 'a login link needs the admin token (kelvin dashboard)');
        const { token, expiresAt } = deps.sessions.issueLoginToken();
        return json({ path: `/ui/login?token=${token}`, expiresAt }, 201);
      })
      .add('GET', '/v1/dashboard/live', ({ res, signal }) => {
        streamLive(
          res,
          {
            nodes,
            services: () => ({ services: services(), tasks: cluster.listTasks().filter((t) => t.desiredState === 'running').map(taskView) }),
            subscribe: (fn) => cluster.subscribe(fn),
            onTelemetry: deps.onTelemetry,
            onAlert: (fn) => deps.alerts.subscribe(fn),
          },
          signal,
        );
      })
      // ---- join token ----
      .add('GET', '/v1/join-token', () => json(joinToken()))
      .add('POST', '/v1/join-token/rotate', ({ query }) => {
        const { pruned } = cluster.rotateJoinToken({ prune: flag(query, 'prune') });
        return json({ ...joinToken(), pruned });
      })
      // ---- Prometheus (outside /v1, where scrapers look; same bearer token as every route) ----
      .add('GET', '/metrics', async ({ res }) => {
        const text = await deps.metrics.render();
        res.writeHead(200, { 'content-type': deps.metrics.contentType, 'content-length': Buffer.byteLength(text) });
        res.end(text);
      })
  );
}
