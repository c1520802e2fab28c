/**
 * The routing mesh on one board. It keeps the last endpoint list the manager sent (a board cut off
 * from the manager goes on balancing over it, minus endpoints that fail), opens a listener on the
 * board's advertise address for each ingress-published port of every service in it (TCP, UDP),
 * and, for each of a service's published and `expose` targets and each target its tasks reported
 * bound (an image's own EXPOSE ports), on its virtual address (put on `lo` by loopback-vips.ts;
 * containers use it) and on that address's loopback twin (process tasks use it;
 * shared/service-vip.ts), so tasks on this board reach the service by name; it forwards each new
 * connection to a task on any board through that listener's balancer. It also
 * drains tasks of this board that are about to stop: no new connections, then up to the stop grace
 * period for open ones to finish.
 */
import type { Logger } from '../../shared/logger.js';
import type { EndpointList, MeshNode, MeshService } from '../../shared/payloads/endpoints.js';
import type { ExposedPort } from '../../shared/published-ports.js';
import type { TaskSpec, TaskStatus } from '../../shared/payloads/tasks.js';
import { envName, loopbackTwin } from '../../shared/service-vip.js';
import { Balancer, type Endpoint } from './balancer.js';
import { establishedOn } from './established.js';
import { LoopbackVips, type IpRunner } from './loopback-vips.js';
import { assignHostPorts, boundPorts } from './task-ports.js';
import { TcpForwarder } from './tcp-forwarder.js';
import { UdpForwarder } from './udp-forwarder.js';

const DRAIN_POLL_MS = 100;

interface Listener {
  balancer: Balancer;
  forwarder: TcpForwarder | UdpForwarder;
}

export interface MeshOptions {
  logger: Logger;
  now?: () => number;
  /** Where /proc is (tests). */
  procRoot?: string;
  /** Runs `ip` for the virtual addresses on lo (tests). */
  ip?: IpRunner;
}

export class Mesh {
  private addr: string | null = null;
  private list: EndpointList | null = null;
  private readonly listeners = new Map<string, Listener>();
  /** Tasks of this board being stopped: never picked again by this board's mesh. */
  private readonly draining = new Set<string>();
  private readonly log: Logger;
  private readonly vips: LoopbackVips;
  private closed = false;

  constructor(private readonly o: MeshOptions) {
    this.log = o.logger.child({ component: 'mesh' });
    this.vips = new LoopbackVips({ logger: this.log, onChange: () => this.sync(), run: o.ip });
  }

  get address(): string | null {
    return this.addr;
  }

  /** The advertise address, once known; listeners open then. */
  setAddress(addr: string): void {
    if (this.addr === addr) return;
    if (this.addr !== null) this.closeListeners();
    this.addr = addr;
    this.log.info({ addr }, 'mesh address');
    this.sync();
  }

  /** Takes a list unless it is older than the one held; says whether it was taken. */
  apply(list: EndpointList): boolean {
    const held = this.list;
    if (held && held.incarnation === list.incarnation && list.generation <= held.generation) return false;
    this.list = list;
    this.sync();
    return true;
  }

  /**
   * The spec a task starts with: host ports for its published and exposed ports and, for a process
   * task, `KELVIN_HOST_<NAME>` (the loopback twin of the virtual address) for every name the
   * manager says it can reach (the task's `hosts`; containers get them in /etc/hosts).
   */
  async prepare(spec: TaskSpec): Promise<TaskSpec> {
    const ported = await assignHostPorts(spec);
    if (spec.driver !== 'process' || !spec.hosts?.length) return ported;
    const names: Record<string, string> = {};
    for (const h of spec.hosts) names[`KELVIN_HOST_${envName(h.name)}`] = loopbackTwin(h.vip);
    return { ...ported, env: { ...names, ...ported.env } };
  }

  /** The task's status with this board's advertise address, when it has bound ports. */
  stamp(status: TaskStatus): TaskStatus {
    return status.ports && this.addr !== null ? { ...status, addr: this.addr } : status;
  }

  /** Keeps new connections away from the task, then waits for open ones, up to its stop grace period. */
  async drain(spec: TaskSpec): Promise<void> {
    this.draining.add(spec.id);
    for (const l of this.listeners.values()) l.balancer.drain(spec.id);
    const tcpPorts = boundPorts(spec).filter((p) => p.protocol === 'tcp').map((p) => p.hostPort);
    const now = this.o.now ?? Date.now;
    const deadline = now() + spec.stopGracePeriodMs;
    try {
      while (!this.closed && now() < deadline && (await establishedOn(tcpPorts, this.o.procRoot)) > 0) {
        await new Promise((r) => setTimeout(r, DRAIN_POLL_MS));
      }
    } finally {
      this.draining.delete(spec.id);
    }
  }

  /** Closes the listeners and takes the virtual addresses this agent added off lo. */
  async close(): Promise<void> {
    this.closed = true;
    this.closeListeners();
    await this.vips.close();
  }

  private closeListeners(): void {
    for (const l of this.listeners.values()) l.forwarder.close();
    this.listeners.clear();
  }

  private sync(): void {
    if (this.closed || this.addr === null || this.list === null) return;
    const heat = new Map<string, MeshNode>(this.list.nodes.map((n) => [n.id, n]));
    const wanted = new Map<string, Endpoint[]>();
    // Two services never publish one port (the manager refuses it); the first listed wins if they do.
    const want = (key: string, endpoints: () => Endpoint[]): void => void (wanted.has(key) || wanted.set(key, endpoints()));
    const vips = new Set<string>();
    for (const service of this.list.services) {
      for (const p of service.ports) {
        if (p.mode === 'ingress') want(`${p.protocol}|${this.addr}|${p.published}`, () => endpointsOf(service, p.target, p.protocol, heat));
      }
      const { vip } = service;
      if (vip === undefined) continue;
      vips.add(vip);
      for (const p of byNameTargets(service)) {
        const endpoints = (): Endpoint[] => endpointsOf(service, p.target, p.protocol, heat);
        want(`${p.protocol}|${loopbackTwin(vip)}|${p.target}`, endpoints);
        if (this.vips.has(vip)) want(`${p.protocol}|${vip}|${p.target}`, endpoints);
      }
    }
    this.vips.want(vips);
    for (const [key, l] of this.listeners) {
      if (wanted.has(key)) continue;
      l.forwarder.close();
      this.listeners.delete(key);
    }
    for (const [key, endpoints] of wanted) {
      const l = this.listeners.get(key) ?? this.open(key);
      l.balancer.setEndpoints(endpoints);
      for (const id of this.draining) l.balancer.drain(id);
    }
  }

  private open(key: string): Listener {
    const [protocol, addr, port] = key.split('|') as ['tcp' | 'udp', string, string];
    const balancer = new Balancer(this.o.now);
    const forwarder = protocol === 'tcp' ? new TcpForwarder(balancer, this.log) : new UdpForwarder(balancer, this.log);
    const listener: Listener = { balancer, forwarder };
    this.listeners.set(key, listener);
    forwarder.listen(addr, Number(port)).then(
      () => {
        this.log.info({ listener: key }, 'mesh listening');
      },
      (err: NodeJS.ErrnoException) => {
        // Agents sharing one machine (tests) share lo: the first one's by-name listener serves.
        if (err.code === 'EADDRINUSE' && addr !== this.addr) this.log.info({ listener: key }, 'by-name address in use on this machine (another agent serves it)');
        else this.log.error({ listener: key, err: err.message }, 'mesh cannot listen; trying again at the next endpoint list');
        forwarder.close();
        if (this.listeners.get(key) === listener) this.listeners.delete(key);
      },
    );
    return listener;
  }
}

/** The targets a service is reached at by name: published, `expose`, and those its tasks reported bound. */
function byNameTargets(service: MeshService): ExposedPort[] {
  const out = new Map<string, ExposedPort>();
  const reported = service.endpoints.flatMap((e) => e.ports);
  for (const { target, protocol } of [...service.ports, ...(service.expose ?? []), ...reported]) out.set(`${protocol}|${target}`, { target, protocol });
  return [...out.values()];
}

function endpointsOf(service: MeshService, target: number, protocol: 'tcp' | 'udp', nodes: Map<string, MeshNode>): Endpoint[] {
  const out: Endpoint[] = [];
  for (const e of service.endpoints) {
    const bound = e.ports.find((p) => p.target === target && p.protocol === protocol);
    if (!bound) continue;
    const node = nodes.get(e.nodeId);
    out.push({ key: e.taskId, host: e.addr, port: bound.hostPort, heat: node?.heat ?? 'normal', power: node?.power ?? 'stable' });
  }
  return out;
}
