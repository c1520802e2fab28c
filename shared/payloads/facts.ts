import { z } from 'zod';
import { nodeId, stringMap, wireVersion } from './common.js';
import { meshAddress } from './mesh-address.js';

export const gpuFact = z.object({
  /** `jetson` only from agents older than the `integrated` flag: a Jetson's GPU is an NVIDIA GPU. */
  vendor: z.enum(['nvidia', 'amd', 'jetson']),
  /** The SoC's own GPU sharing the board's memory (Jetson), not a card of its own. Absent from older agents. */
  integrated: z.boolean().optional(),
  model: z.string(),
  memoryBytes: z.number().nonnegative().nullable(),
  uuid: z.string().nullable(),
});
export type GpuFact = z.infer<typeof gpuFact>;

export const thermalLimits = z.object({
  warnC: z.number(),
  throttleC: z.number(),
  criticalC: z.number(),
  hysteresisC: z.number().nonnegative(),
});
export type ThermalLimits = z.infer<typeof thermalLimits>;

export const taskDriver = z.enum(['docker', 'process']);
export type TaskDriver = z.infer<typeof taskDriver>;

/** What a board *is*: slow-changing, published retained on connect and whenever it changes. */
export const nodeFacts = z.object({
  v: wireVersion,
  nodeId,
  hostname: z.string(),
  /** `uname -m` style: x86_64, aarch64, armv7l. */
  arch: z.string(),
  os: z.string(),
  bootId: z.string(),
  board: z.object({ profile: z.string(), model: z.string().nullable() }),
  cpu: z.object({ model: z.string().nullable(), cores: z.number().int().positive() }),
  memoryBytes: z.number().nonnegative(),
  gpus: z.array(gpuFact),
  /** Auto labels derived from hardware facts (gpu, gpu.vendor, gpu.count, board): `node.labels.*`,
   *  under any label the manager sets on the node. */
  labels: stringMap,
  /** Labels given to the agent with `--label k=v`: `engine.labels.*`, as Swarm engine labels. */
  engineLabels: stringMap,
  thermalLimits,
  /** Task drivers this agent can run now (docker only when the engine answers). */
  drivers: z.array(taskDriver),
  agentVersion: z.string(),
  /** Hardware under /dev a task may ask for (`--device`, `node.hw.device`); absent from older agents. */
  devices: z.array(z.string().max(128)).max(256).optional(),
  /** The board's advertise address (where other boards reach its tasks); the only address its tasks' endpoints may name. Absent from older agents. */
  addr: meshAddress.optional(),
});
export type NodeFacts = z.infer<typeof nodeFacts>;
