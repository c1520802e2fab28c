/**
 * Builds and starts the manager (swarmkit's manager.go): store, MQTT broker (embedded unless an
 * external one is given), the manager's own MQTT client, inventory, dispatcher, orchestrator, the
 * heat and power policy with its alert bus, and the Cluster facade. The components never call each other; they react to the store's changes.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { MANAGER_MQTT_USERNAME } from '../shared/credentials.js';
import { createLogger, type Logger } from '../shared/logger.js';
import { isTerminal } from '../shared/payloads/tasks.js';
import { allNodesTopic } from '../shared/topics.js';
import { createAlertBus, type AlertBus } from './alerts/index.js';
import { startEmbeddedBroker, type EmbeddedBroker } from './broker/embedded.js';
import { BAD_PAYLOAD_LOG_INTERVAL_MS, InboundRouter, type MessageHandler } from './broker/inbound.js';
import { connectManagerClient } from './broker/manager-client.js';
import { PendingJoins } from './broker/pending-joins.js';
import { LogOncePer } from './broker/rate-limit.js';
import { EXTERNAL_BROKER_CREDENTIAL } from './broker/secrets.js';
import { Cluster } from './cluster.js';
import { DiskWatch } from './disk-watch.js';
import { Dispatcher } from './dispatcher/dispatcher.js';
import { TelemetryHistory } from './history/telemetry-history.js';
import { handleLeave } from './inventory/node-leave.js';
import { Inventory } from './inventory/inventory.js';
import { MeshPublisher, TaskEndpoints } from './mesh/index.js';
import { ManagerMetrics } from './metrics.js';
import { parseManagerOptions, type ManagerOptions, type ManagerOptionsInput } from './options.js';
import { Orchestrator } from './orchestrator/orchestrator.js';
import { watchUpdateAlerts } from './orchestrator/update-events.js';
import { PolicyEngine } from './policy/index.js';
import { PolicyActions, PolicyInputs } from './policy-runtime/index.js';
import { ensureClusterIdentity } from './store/cluster-identity.js';
import { parseVipRange, type VipRange } from './vip-allocator.js';
import type { NodeReadiness } from './store/records.js';
import { Store } from './store/store.js';
import { Materials } from './secrets/materials.js';
import { openMaterials } from './secrets/open-materials.js';
import { SecretsResponder } from './secrets/secrets-responder.js';
import { ServerTlsRenewal } from './tls/renewal.js';
import { issueServerTls, type ServerTls } from './tls/cluster-tls.js';
import { isLoopbackHost, managerSans } from './tls/sans.js';

export interface ManagerDeps {
  logger?: Logger;
}

export interface RunningManager {
  readonly options: ManagerOptions;
  readonly cluster: Cluster;
  readonly store: Store;
  /** The MQTT URL the manager itself uses (embedded broker on loopback, or the external broker). */
  readonly mqttUrl: string;
  /** Port of the embedded broker; null with an external broker. */
  readonly mqttPort: number | null;
  /** The cluster CA file the embedded broker's certificate chains to; null for plain MQTT or an external broker. */
  readonly mqttCaPath: string | null;
  /** The manager's server certificate (broker and API) as issued at start; null when nothing it serves uses TLS. */
  readonly serverTls: ServerTls | null;
  /** Called with each certificate renewed while the manager runs (tls/renewal.ts), for the HTTPS API. */
  onServerTlsRenewed(handler: (tls: ServerTls) => void): void;
  readonly adminTokenPath: string;
  /** Bad payloads dropped per source since start. */
  badPayloads(): ReadonlyMap<string, number>;
  /** The manager's own MQTT client, for request/response traffic such as the API's logs relay. */
  readonly mqtt: MqttClient;
  /** Adds a handler for decoded node messages (on topics the caller subscribed `mqtt` to). */
  onNodeMessage(handler: MessageHandler): void;
  /** The heat and power policy: per-node thermal/power views for the API. */
  readonly policy: PolicyEngine;
  /** Alert history and live alerts (`kelvin alerts`). */
  readonly alerts: AlertBus;
  /** Prometheus metrics, served by the API on `GET /metrics`. */
  readonly metrics: ManagerMetrics;
  /** `kelvin secret` and `kelvin config`, sealed in the store. */
  readonly materials: Materials;
  /** Per-node telemetry history (memory only), for `GET /v1/nodes/{id}/history` and the dashboard. */
  readonly history: TelemetryHistory;
  stop(): Promise<void>;
}

export const DB_FILE = 'kelvin.db';

export async function startManager(input: ManagerOptionsInput, deps: ManagerDeps = {}): Promise<RunningManager> {
  const options = parseManagerOptions(input);
  const logger = deps.logger ?? createLogger('kelvin-manager');
  const { clock } = options;
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const store = Store.open(join(options.dataDir, DB_FILE), { now: () => clock.now(), logger });
  const cleanups: Array<() => Promise<void> | void> = [() => store.close()];
  const stopAll = async (): Promise<void> => {
    for (const fn of cleanups.splice(0).reverse()) {
      try {
        await fn();
      } catch (err) {
        logger.warn({ err }, 'error while stopping the manager');
      }
    }
  };

  try {
    const { cluster: identity, adminTokenPath } = ensureClusterIdentity(store, options.dataDir, clock.now());
    const materials = openMaterials(store, options, clock, logger);
    const cluster = new Cluster(store, clock, materials, parseVipRange(options.vipRange) as VipRange);
    cluster.assignMissingVips();
    const pending = new PendingJoins();

    let broker: EmbeddedBroker | null = null;
    let mqttUrl: string;
    let username = MANAGER_MQTT_USERNAME;
    let password: string;
    let ca: Buffer | null = null;
    let caPath: string | null = null;
    const httpHost = options.http.slice(0, options.http.lastIndexOf(':'));
    const embeddedTls = options.brokerUrl === null && !options.insecureMqtt;
    // One certificate for the broker and, when it listens beyond loopback, the HTTP API.
    const sans = managerSans([...options.tlsSans, options.mqttHost, httpHost]);
    const serverTls = embeddedTls || !isLoopbackHost(httpHost) ? issueServerTls(options.dataDir, sans) : null;
    const renewedHandlers: Array<(tls: ServerTls) => void> = [];
    if (options.brokerUrl === null) {
      password = randomBytes(32).toString('base64url');
      if (serverTls && embeddedTls) {
        ca = Buffer.from(serverTls.ca.certPem);
        caPath = serverTls.ca.certPath;
      }
      const tls = serverTls && embeddedTls ? { cert: serverTls.cert, key: serverTls.key } : null;
      broker = await startEmbeddedBroker({ host: options.mqttHost, port: options.mqttPort, store, managerSecret: password, pending, logger, tls }).catch(
        (err: NodeJS.ErrnoException) => {
          throw new Error(`cannot start the MQTT broker on ${options.mqttHost}:${options.mqttPort}: ${err.code ?? err.message}`);
        },
      );
      const b = broker;
      cleanups.push(() => b.close());
      if (tls) renewedHandlers.push((renewed) => b.setTls(renewed));
      mqttUrl = broker.url;
    } else {
      const url = new URL(options.brokerUrl);
      if (url.username) username = decodeURIComponent(url.username);
      password = url.password ? decodeURIComponent(url.password) : identity.brokerSecret;
      url.username = '';
      url.password = '';
      mqttUrl = url.toString();
      ca = options.brokerCaFile === null ? null : readBrokerCa(options.brokerCaFile, url);
    }

    const client: MqttClient = await connectManagerClient(mqttUrl, {
      username,
      password,
      clientId: `kelvin-manager-${randomBytes(6).toString('hex')}`,
      clean: true,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      ...(ca ? { ca } : {}),
    }).catch((err: Error) => {
      throw new Error(`cannot connect to the MQTT broker at ${mqttUrl}: ${err.message}`);
    });
    cleanups.push(() => client.endAsync(true));

    const alerts = createAlertBus({
      db: store.database,
      write: (fn) => store.transaction(fn),
      publish: (topic, payload, opts) => client.publishAsync(topic, payload, opts),
      webhookUrls: options.alertWebhooks,
      logger: logger.child({ component: 'alerts' }),
    });
    // Runs before the MQTT client closes (cleanups run in reverse): the last alerts still get out.
    cleanups.push(() => alerts.close(5000));
    const diskWatch = new DiskWatch({ store, alerts, clock, logger });
    diskWatch.start();
    cleanups.push(() => diskWatch.stop());
    const metrics = new ManagerMetrics();
    // The bus is the one place alerts enter; its subscribers see each accepted alert once.
    cleanups.push(alerts.subscribe((alert) => metrics.alert(alert.kind)));
    metrics.setNodeStateSource(() => nodeCountByState(store));
    const activeTasksOn = (nodeId: string): number =>
      store.listTasks({ nodeId, desiredState: 'running' }).filter((t) => t.state !== 'pending' && !isTerminal(t.state)).length;
    const policy = new PolicyEngine({
      now: () => clock.now(),
      sustainMs: options.thermalSustainMs,
      holdMs: options.thermalHoldMs,
      powerStableMs: options.powerStableMs,
      tasksOnNode: activeTasksOn,
    });

    const router = new InboundRouter(logger, {
      now: () => clock.now(),
      onBadPayload: (kind, reason) => {
        metrics.rejectedPayload(kind, reason);
        if (kind === 'telemetry') metrics.telemetry(false);
      },
    });
    const inventory = new Inventory({
      store,
      clock,
      nodeTimeoutMs: options.nodeTimeoutMs,
      localAgentNodeId: options.localAgentNodeId,
      logger,
      metrics,
      alerts,
      requireApproval: options.requireApproval,
      admit: broker ? (nodeId) => pending.admit(nodeId) : () => ({ credential: EXTERNAL_BROKER_CREDENTIAL, via: ' through the external broker' }),
    });
    const dispatcher = new Dispatcher({
      store,
      clock,
      logger,
      publish: (topic, payload) => client.publishAsync(topic, payload, { qos: 1, retain: true }).then(() => undefined),
      metrics,
      throttleOf: (nodeId, task) => policy.throttleFor(nodeId, task.resources.cpus, store.getNode(nodeId)?.facts?.cpu.cores ?? 1),
    });
    logger.info({ incarnation: dispatcher.incarnation }, 'manager incarnation (new at every start; desired sets carry it)');
    const orchestrator = new Orchestrator({
      store,
      clock,
      logger,
      nodeTimeoutMs: options.nodeTimeoutMs,
      reconcileIntervalMs: options.reconcileIntervalMs,
      placementPolicy: policy.placementPolicy(),
      metrics,
    });
    const endpointLog = new LogOncePer(BAD_PAYLOAD_LOG_INTERVAL_MS, () => clock.now());
    const taskEndpoints = new TaskEndpoints((id) => store.getTask(id), {
      advertisedAddr: (nodeId) => store.getNode(nodeId)?.facts?.addr ?? null,
      rejected: (nodeId, addr, advertised) => {
        metrics.rejectedPayload('task-status', 'address');
        if (endpointLog.due(nodeId)) logger.warn({ nodeId, addr, advertised }, 'task endpoint dropped: not at the address its node advertised');
      },
    });
    const mesh = new MeshPublisher({
      incarnation: dispatcher.incarnation,
      services: () => store.listServices(),
      runningTasksOf: (serviceId) => store.listTasks({ serviceId, desiredState: 'running' }),
      endpoints: taskEndpoints,
      policy: (nodeId) => policy.view(nodeId),
      // A node waiting for `node accept` learns nothing of the services.
      nodeIds: () => store.listNodes().filter((n) => n.membership === 'accepted').map((n) => n.id),
      publish: (topic, payload) => client.publishAsync(topic, payload, { qos: 1, retain: true }).then(() => undefined),
      logger,
    });
    const actions = new PolicyActions({ engine: policy, alerts, store, dispatcher, orchestrator, logger });
    const policyInputs = new PolicyInputs({
      engine: policy,
      store,
      clock,
      act: (events) => actions.act(events),
      forget: (nodeId) => actions.forget(nodeId),
      logger,
    });
    router.add((m) => inventory.handle(m));
    router.add((m) => dispatcher.handle(m));
    router.add((m) => handleLeave(store, logger, m));
    const secretsResponder = new SecretsResponder({ store, materials, publish: (topic, payload) => client.publishAsync(topic, payload, { qos: 1, retain: false }), logger });
    router.add((m) => secretsResponder.handle(m));
    router.add((m) => taskEndpoints.handle(m));
    client.on('message', (topic, payload) => router.route(topic, payload));
    const replayDeferred = (): void => router.replayDeferred();
    store.on('diskWritable', replayDeferred);
    cleanups.push(() => void store.off('diskWritable', replayDeferred));
    // A broker that restarted lost its retained sets: republish them whenever the client reconnects.
    client.on('connect', () => {
      dispatcher.republishAll();
      mesh.republishAll();
    });
    client.on('error', (err) => logger.warn({ err: err.message }, 'manager MQTT client error'));

    inventory.start();
    cleanups.push(() => inventory.stop());
    dispatcher.start();
    cleanups.push(() => dispatcher.stop());
    cleanups.push(watchUpdateAlerts(store, (alert) => alerts.emit(alert), () => clock.now()));
    orchestrator.start();
    cleanups.push(() => orchestrator.stop());
    policyInputs.start();
    cleanups.push(() => policyInputs.stop());
    const history = new TelemetryHistory(clock);
    cleanups.push(history.attach(store));
    mesh.start();
    cleanups.push(() => mesh.stop());
    await client.subscribeAsync({
      [allNodesTopic('status')]: { qos: 1 },
      [allNodesTopic('facts')]: { qos: 1 },
      [allNodesTopic('telemetry')]: { qos: 0 },
      [allNodesTopic('task-status')]: { qos: 1 },
      [allNodesTopic('leave')]: { qos: 1 },
      [allNodesTopic('secrets-request')]: { qos: 1 },
    });

    if (serverTls) {
      const renewal = new ServerTlsRenewal({
        dataDir: options.dataDir,
        sans,
        initial: serverTls,
        apply: (renewed) => renewedHandlers.forEach((h) => h(renewed)),
        logger: logger.child({ component: 'tls' }),
        now: () => clock.now(),
      });
      renewal.start();
      cleanups.push(() => renewal.stop());
    }

    logger.info({ dataDir: options.dataDir, mqtt: mqttUrl, cluster: identity.id }, 'manager started');
    return {
      options,
      cluster,
      materials,
      store,
      mqttUrl,
      mqttPort: broker?.port ?? null,
      mqttCaPath: caPath,
      serverTls,
      onServerTlsRenewed: (handler) => renewedHandlers.push(handler),
      adminTokenPath,
      badPayloads: () => router.badPayloads(),
      mqtt: client,
      onNodeMessage: (handler) => router.add(handler),
      policy,
      alerts,
      metrics,
      history,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** The `--broker-ca` file, read once; only meaningful for a TLS broker. */
function readBrokerCa(file: string, url: URL): Buffer {
  if (url.protocol !== 'mqtts:' && url.protocol !== 'wss:') throw new Error(`--broker-ca ${file}: only applies to an mqtts:// or wss:// broker`);
  try {
    return readFileSync(file);
  } catch (err) {
    throw new Error(`--broker-ca ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** Every state is listed, at 0 when no node is in it, so a dashboard shows 0 rather than no data. */
function nodeCountByState(store: Store): Record<NodeReadiness, number> {
  const counts: Record<NodeReadiness, number> = { ready: 0, down: 0 };
  for (const node of store.listNodes()) counts[node.status]++;
  return counts;
}
