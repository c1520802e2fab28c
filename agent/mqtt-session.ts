/**
 * The agent's MQTT connection. mqtt.js reconnects at a fixed period, so automatic reconnect is off
 * (reconnectPeriod 0) and this session schedules `reconnect()` itself with exponential backoff and
 * jitter: a fleet that lost its broker does not come back in lockstep. A broker that refused
 * connections is knocked on meanwhile (broker-probe.ts) and reconnected to as soon as it listens
 * again. Nothing is queued while disconnected (publish returns false and drops): telemetry is stale
 * by then, and everything else is level-triggered and republished by `onConnect` (status, facts,
 * task statuses).
 */
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { AGENT_RECONNECT_BACKOFF, Backoff } from '../shared/backoff.js';
import { probeBroker, type BrokerProbe } from './broker-probe.js';
import { nodeClientId } from '../shared/credentials.js';
import type { Logger } from '../shared/logger.js';
import type { NodeStatus } from '../shared/payloads/status.js';
import { nodeTopic, type NodeTopicKind } from '../shared/topics.js';
import { decodePayload, encode, type NodePayload } from '../shared/wire.js';

type InboundKind = 'tasks' | 'logs-request' | 'secrets' | 'endpoints';
type OutboundKind = Exclude<NodeTopicKind, InboundKind>;

export interface MqttSessionOptions {
  /** mqtt:// or mqtts:// */
  url: string;
  nodeId: string;
  /** From formatMqttPassword; never logged. */
  password: string;
  ca: Buffer | null;
  keepaliveS: number;
  bootId: string;
  logger: Logger;
  /** Called on every (re)connect, after the online status is out and subscriptions are made. */
  onConnect: () => void;
  /** Called when the connection closes or an attempt fails (not on an orderly stop); may repeat. */
  onDisconnect?: () => void;
  onTasks: (set: NodePayload<'tasks'>) => void;
  onLogsRequest: (request: NodePayload<'logs-request'>) => void;
  /** Answers to this agent's secrets requests (agent/secrets/secrets-fetcher.ts). */
  onSecrets?: (response: NodePayload<'secrets'>) => void;
  onEndpoints?: (list: NodePayload<'endpoints'>) => void;
  backoff?: Backoff;
  now?: () => number;
}

const INBOUND: readonly InboundKind[] = ['tasks', 'logs-request', 'secrets', 'endpoints'];
const STOP_PUBLISH_TIMEOUT_MS = 2000;
/** How often a refusing broker is knocked on during a longer reconnect delay. */
const PROBE_INTERVAL_MS = 1000;

export class MqttSession {
  private readonly client: MqttClient;
  private readonly backoff: Backoff;
  private readonly now: () => number;
  private readonly log: Logger;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private probe: BrokerProbe | null = null;
  private stopping = false;
  private lastError: string | null = null;
  private lastErrorCode: string | undefined;
  private readonly loggedBadTopics = new Set<string>();
  /** Inbound payloads dropped because they failed the wire schema, per topic kind. */
  readonly droppedPayloads: Record<InboundKind, number> = { tasks: 0, 'logs-request': 0, secrets: 0, endpoints: 0 };

  constructor(private readonly options: MqttSessionOptions) {
    this.backoff = options.backoff ?? new Backoff(AGENT_RECONNECT_BACKOFF);
    this.now = options.now ?? Date.now;
    this.log = options.logger.child({ component: 'mqtt', broker: options.url });
    const clientOptions: IClientOptions = {
      clientId: nodeClientId(options.nodeId),
      username: options.nodeId,
      password: options.password,
      keepalive: options.keepaliveS,
      clean: true,
      reconnectPeriod: 0,
      resubscribe: false,
      queueQoSZero: false,
      connectTimeout: 10_000,
      // mqtt-packet otherwise pre-builds 65,536 two-byte buffers (about 8 MB of heap): too much on a Pi.
      writeCache: false,
      manualConnect: true,
      will: this.willMessage(),
      ...(options.ca ? { ca: options.ca } : {}),
    };
    this.client = connect(options.url, clientOptions);
    this.client.on('connect', () => this.onConnected());
    this.client.on('close', () => this.onClosed());
    this.client.on('error', (err: Error & { code?: unknown }) => this.noteError(err.message, typeof err.code === 'string' ? err.code : undefined));
    this.client.on('message', (topic, payload) => this.onMessage(topic, payload));
  }

  get connected(): boolean {
    return this.client.connected;
  }

  /** This board's address on the connection to the broker (an IPv4-mapped one as plain IPv4); null when not connected. */
  get localAddress(): string | null {
    const addr = (this.client.stream as { localAddress?: string } | undefined)?.localAddress;
    if (!this.client.connected || !addr) return null;
    return addr.startsWith('::ffff:') && addr.includes('.') ? addr.slice('::ffff:'.length) : addr;
  }

  start(): void {
    this.log.info('connecting');
    this.client.connect();
  }

  /** Publishes when connected; drops and returns false otherwise (see the file comment). */
  publish<K extends OutboundKind>(kind: K, payload: NodePayload<K>, opts: { qos: 0 | 1; retain: boolean }): boolean {
    if (!this.client.connected) return false;
    this.client.publish(nodeTopic(this.options.nodeId, kind), encode(payload), opts, (err) => {
      if (err) this.log.debug({ kind, err: err.message }, 'publish not completed');
    });
    return true;
  }

  /** Orderly shutdown: retained offline with clean:true (the broker then drops the will), then disconnect. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.probe?.cancel();
    if (this.client.connected) {
      const offline: NodeStatus = { v: 1, state: 'offline', bootId: this.options.bootId, clean: true, ts: this.now() };
      await withTimeout(this.client.publishAsync(nodeTopic(this.options.nodeId, 'status'), encode(offline), { qos: 1, retain: true }), STOP_PUBLISH_TIMEOUT_MS).catch(
        (err: Error) => this.log.warn({ err: err.message }, 'could not publish offline status'),
      );
      await withTimeout(this.client.endAsync(), STOP_PUBLISH_TIMEOUT_MS).catch(() => this.client.end(true));
    } else {
      this.client.end(true);
    }
    this.log.info('disconnected');
  }

  private willMessage(): NonNullable<IClientOptions['will']> {
    const offline: NodeStatus = { v: 1, state: 'offline', bootId: this.options.bootId, clean: false, ts: this.now() };
    return { topic: nodeTopic(this.options.nodeId, 'status'), payload: encode(offline), qos: 1, retain: true };
  }

  private onConnected(): void {
    this.backoff.reset();
    this.lastError = null;
    this.lastErrorCode = undefined;
    this.log.info('connected');
    const online: NodeStatus = { v: 1, state: 'online', bootId: this.options.bootId, clean: true, ts: this.now() };
    this.publish('status', online, { qos: 1, retain: true });
    this.client.subscribe(
      INBOUND.map((kind) => nodeTopic(this.options.nodeId, kind)),
      { qos: 1 },
      (err) => {
        if (err) this.log.error({ err: err.message }, 'subscribe failed');
      },
    );
    this.options.onConnect();
  }

  private onClosed(): void {
    if (this.stopping || this.reconnectTimer) return;
    this.options.onDisconnect?.();
    const delayMs = this.backoff.next();
    this.log.info({ delayMs, lastError: this.lastError }, 'connection lost; reconnecting');
    this.reconnectTimer = setTimeout(() => this.reconnectNow(), delayMs);
    // Nothing listening (a manager restarting): knock meanwhile, and go as soon as it listens again.
    if (this.lastErrorCode === 'ECONNREFUSED' && delayMs > PROBE_INTERVAL_MS) {
      this.probe = probeBroker(this.options.url, PROBE_INTERVAL_MS, () => {
        this.log.info('broker accepts connections again; reconnecting now');
        this.reconnectNow();
      });
    }
  }

  private reconnectNow(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.probe?.cancel();
    this.probe = null;
    if (this.stopping) return;
    // The will's timestamp is taken at connect time; refresh it for this attempt.
    this.client.options.will = this.willMessage();
    this.client.reconnect();
  }

  private noteError(message: string, code: string | undefined): void {
    // Each failed attempt repeats the same error; log it when it changes, not every time.
    if (message !== this.lastError) this.log.warn({ err: message }, 'broker connection error');
    this.lastError = message;
    this.lastErrorCode = code;
  }

  private onMessage(topic: string, payload: Buffer): void {
    const kind = INBOUND.find((k) => topic === nodeTopic(this.options.nodeId, k));
    if (!kind) return;
    if (kind === 'tasks') {
      // An empty retained message clears the topic; it carries no desired set.
      if (payload.byteLength === 0) return;
      const r = decodePayload('tasks', payload);
      if (r.ok && r.value.nodeId !== this.options.nodeId) {
        return this.dropBad(kind, topic, `desired set names node '${r.value.nodeId}'`);
      }
      if (r.ok) this.options.onTasks(r.value);
      else this.dropBad(kind, topic, r.error);
    } else if (kind === 'secrets') {
      const r = decodePayload('secrets', payload);
      if (r.ok) this.options.onSecrets?.(r.value);
      else this.dropBad(kind, topic, r.error);
    } else if (kind === 'endpoints') {
      if (payload.byteLength === 0) return;
      const r = decodePayload('endpoints', payload);
      if (r.ok) this.options.onEndpoints?.(r.value);
      else this.dropBad(kind, topic, r.error);
    } else {
      const r = decodePayload('logs-request', payload);
      if (r.ok) this.options.onLogsRequest(r.value);
      else this.dropBad(kind, topic, r.error);
    }
  }

  private dropBad(kind: InboundKind, topic: string, error: string): void {
    this.droppedPayloads[kind]++;
    if (this.loggedBadTopics.has(topic)) return;
    this.loggedBadTopics.add(topic);
    this.log.warn({ topic, error }, 'dropped a bad payload (further ones on this topic are counted, not logged)');
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
