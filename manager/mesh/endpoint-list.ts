/**
 * The routing mesh's endpoint list, computed from the store (services with published or `expose`
 * ports, or whose tasks reported bound ports, such as an image's own EXPOSE ports; their running
 * tasks) and the heat policy (each board's heat and power state). A task is listed while it is
 * desired running, runs, and, when its service has a health check, is healthy: a task the
 * orchestrator is about to stop leaves the list first, so meshes stop sending it new connections.
 */
import type { MeshEndpoint, MeshNode, MeshService } from '../../shared/payloads/endpoints.js';
import type { NodePolicyView } from '../policy/types.js';
import type { ServiceRecord, TaskRecord } from '../store/records.js';
import type { TaskEndpoints } from './task-endpoints.js';

export interface EndpointSources {
  services: () => ServiceRecord[];
  runningTasksOf: (serviceId: string) => TaskRecord[];
  endpoints: TaskEndpoints;
  policy: (nodeId: string) => Pick<NodePolicyView, 'thermal' | 'power'>;
}

/** A task with a health check (health not null) takes connections only once healthy. */
function takesConnections(task: TaskRecord): boolean {
  return task.state === 'running' && task.desiredState === 'running' && (task.health === null || task.health === 'healthy');
}

export function computeEndpointList(src: EndpointSources): { nodes: MeshNode[]; services: MeshService[] } {
  const nodeIds = new Set<string>();
  const services: MeshService[] = [];
  const reporting = src.endpoints.reportingServices();
  for (const service of src.services()) {
    const { ports, expose } = service.spec;
    // A service without ports is listed while a task says it listens (its image's EXPOSE ports),
    // draining ones included: its virtual address stays on the boards until they end.
    if (ports.length === 0 && expose.length === 0 && !reporting.has(service.id)) continue;
    const endpoints: MeshEndpoint[] = [];
    for (const task of src.runningTasksOf(service.id)) {
      if (!takesConnections(task)) continue;
      const e = src.endpoints.of(task);
      if (!e) continue;
      endpoints.push({ taskId: task.id, nodeId: e.nodeId, addr: e.addr, ports: e.ports });
      nodeIds.add(e.nodeId);
    }
    endpoints.sort((a, b) => a.taskId.localeCompare(b.taskId));
    services.push({
      id: service.id,
      name: service.name,
      stack: service.spec.stack,
      ports,
      ...(service.vip === null ? {} : { vip: service.vip }),
      ...(expose.length > 0 ? { expose } : {}),
      endpoints,
    });
  }
  services.sort((a, b) => a.id.localeCompare(b.id));
  const nodes = [...nodeIds].sort().map((id): MeshNode => {
    const view = src.policy(id);
    return { id, heat: view.thermal.state, power: view.power.state };
  });
  return { nodes, services };
}
