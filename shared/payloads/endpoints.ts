/**
 * The routing mesh's wire shapes: where a task listens (reported by its agent in task-status) and
 * the endpoint list the manager publishes, retained, to every node (`nodes/{id}/endpoints`).
 * Everything is bounded: a list is at most MAX_DESIRED_SET_BYTES and each array has a cap.
 */
import { z } from 'zod';
import { exposedPort, publishedPort } from '../published-ports.js';
import { SERVICE_NAME } from '../service-spec.js';
import { nodeId, wireVersion } from './common.js';
import { meshAddress } from './mesh-address.js';

export { isBoardAddress, meshAddress } from './mesh-address.js';

export const MAX_TASK_PORTS = 64;
export const MAX_MESH_SERVICES = 1000;
export const MAX_MESH_ENDPOINTS = 1000;
export const MAX_MESH_NODES = 1000;
/** Names one task may reach (its stack's services twice: compose and full name). */
export const MAX_TASK_HOSTS = 256;

const port = z.number().int().min(1).max(65535);

/** A service's published port as the task carries it; the agent fills hostPort when it starts the task. */
export const taskPort = publishedPort.extend({ hostPort: port.optional() });
export type TaskPort = z.infer<typeof taskPort>;

/** An `expose` port as the task carries it; the agent binds a host port for it as for published ones. */
export const taskExposedPort = exposedPort.extend({ hostPort: port.optional() });
export type TaskExposedPort = z.infer<typeof taskExposedPort>;

/** A name a task reaches a service by, and the service's virtual address (service-vip.ts). */
export const taskHost = z.object({ name: z.string().regex(SERVICE_NAME), vip: z.ipv4() });
export type TaskHost = z.infer<typeof taskHost>;

/** Where a task's target port answers on its board. */
export const boundPort = z.object({ target: port, protocol: z.enum(['tcp', 'udp']), hostPort: port });
export type BoundPort = z.infer<typeof boundPort>;

export const HEAT_STATES = ['normal', 'warm', 'hot', 'critical'] as const;

export const meshNode = z.object({
  id: nodeId,
  heat: z.enum(HEAT_STATES),
  power: z.enum(['stable', 'unstable']),
});
export type MeshNode = z.infer<typeof meshNode>;

export const meshEndpoint = z.object({
  taskId: z.string().min(1).max(64),
  nodeId,
  addr: meshAddress,
  ports: z.array(boundPort).max(MAX_TASK_PORTS),
});
export type MeshEndpoint = z.infer<typeof meshEndpoint>;

export const meshService = z.object({
  id: z.string().min(1).max(64),
  name: z.string().min(1).max(63),
  /** Stack namespace: services of one stack reach each other by their compose names too. */
  stack: z.string().min(1).max(63).nullable(),
  ports: z.array(publishedPort).max(MAX_TASK_PORTS),
  /** The service's virtual address; absent from older managers' lists (then it has no by-name listener). */
  vip: z.ipv4().optional(),
  /** Compose `expose` targets: reachable by name like the published targets, never on the advertise address. */
  expose: z.array(exposedPort).max(MAX_TASK_PORTS).optional(),
  endpoints: z.array(meshEndpoint).max(MAX_MESH_ENDPOINTS),
});
export type MeshService = z.infer<typeof meshService>;

/** Manager -> node, retained; level-triggered like the desired set (the whole list, never a delta). */
export const endpointList = z.object({
  v: wireVersion,
  incarnation: z.string().min(1).max(64),
  /** Grows with every change within one incarnation; an agent ignores an older list. */
  generation: z.number().int().nonnegative(),
  nodes: z.array(meshNode).max(MAX_MESH_NODES),
  services: z.array(meshService).max(MAX_MESH_SERVICES),
});
export type EndpointList = z.infer<typeof endpointList>;
