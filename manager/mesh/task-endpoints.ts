/**
 * Where each running task listens, as its agent reported in task-status (board address and host
 * port per target). Kept in memory: agents send every status again after a reconnect and every
 * status-resync period, so a restarted manager learns it back within seconds. Only the node a task
 * is assigned to may say where it listens, and only at the address that node advertised in its
 * facts: a board cannot point every mesh at some other host (another board, a router's SSH port)
 * through a task's status. It can still advertise any address for itself (see ARCHITECTURE).
 */
import { isTerminal } from '../../shared/payloads/tasks.js';
import type { BoundPort } from '../../shared/payloads/endpoints.js';
import type { NodeMessage } from '../broker/inbound.js';
import type { TaskRecord } from '../store/records.js';

export interface TaskEndpoint {
  serviceId: string;
  nodeId: string;
  addr: string;
  ports: BoundPort[];
}

export interface TaskEndpointsOptions {
  /** The advertise address the node gave in its facts; null before any (or from an older agent). */
  advertisedAddr: (nodeId: string) => string | null;
  /** A status whose endpoint named another address than `advertised` was dropped. */
  rejected?: (nodeId: string, addr: string, advertised: string | null) => void;
}

export class TaskEndpoints {
  private readonly byTask = new Map<string, TaskEndpoint>();

  constructor(
    private readonly getTask: (id: string) => TaskRecord | null,
    private readonly o: TaskEndpointsOptions,
  ) {}

  handle(msg: NodeMessage): void {
    if (msg.kind !== 'task-status') return;
    const status = msg.payload;
    if (isTerminal(status.state) || !status.addr || !status.ports) {
      this.byTask.delete(status.taskId);
      return;
    }
    // Entries exist only for tasks of the store assigned to the reporter: bounded by the store.
    const task = this.getTask(status.taskId);
    if (task?.nodeId !== msg.nodeId) return;
    const advertised = this.o.advertisedAddr(msg.nodeId);
    if (status.addr !== advertised) {
      this.byTask.delete(status.taskId);
      this.o.rejected?.(msg.nodeId, status.addr, advertised);
      return;
    }
    this.byTask.set(status.taskId, { serviceId: task.serviceId, nodeId: msg.nodeId, addr: status.addr, ports: status.ports });
  }

  /** The endpoint of a task still placed on the node that reported it. */
  of(task: TaskRecord): TaskEndpoint | null {
    const e = this.byTask.get(task.id);
    return e && e.nodeId === task.nodeId ? e : null;
  }

  /** The services with a task that reported where it listens (one pass, for a whole endpoint list). */
  reportingServices(): Set<string> {
    return new Set([...this.byTask.values()].map((e) => e.serviceId));
  }

  /** Forgets tasks the store no longer has or that ended. */
  prune(): void {
    for (const id of this.byTask.keys()) {
      const task = this.getTask(id);
      if (!task || isTerminal(task.state)) this.byTask.delete(id);
    }
  }
}
