/**
 * A task's published and `expose` ports on its board. Each target gets a host port: the published
 * port itself for mode=host, else one the agent finds free (the mesh forwards to it). Containers get the
 * target published on that host port; process tasks, which share the board's network, are told
 * it in `PORT` (the first target) and `KELVIN_PORT_<target>`, as Nomad does. A container image's
 * own EXPOSE ports join the task's `expose` ports once the image is on the board.
 */
import { MAX_TASK_PORTS, type BoundPort, type TaskExposedPort, type TaskPort } from '../../shared/payloads/endpoints.js';
import type { TaskSpec } from '../../shared/payloads/tasks.js';
import type { ExposedPort } from '../../shared/published-ports.js';
import { freePort } from './free-port.js';

const key = (p: { target: number; protocol: string }): string => `${p.target}/${p.protocol}`;

/** One entry per target and protocol (two published ports onto one target, or one also exposed, share its host port). */
export function boundPorts(spec: TaskSpec): BoundPort[] {
  const out = new Map<string, BoundPort>();
  for (const p of [...(spec.ports ?? []), ...(spec.expose ?? [])]) {
    if (p.hostPort !== undefined && !out.has(key(p))) out.set(key(p), { target: p.target, protocol: p.protocol, hostPort: p.hostPort });
  }
  return [...out.values()];
}

/** The spec with a host port on every published and exposed port; a spec that already has them is returned as is. */
export async function assignHostPorts(spec: TaskSpec): Promise<TaskSpec> {
  const ports = spec.ports ?? [];
  const expose = spec.expose ?? [];
  if ([...ports, ...expose].every((p) => p.hostPort !== undefined)) return spec;
  const chosen = new Map<string, number>();
  for (const p of ports) if (p.mode === 'host') chosen.set(key(p), p.published);
  const bind = async <P extends TaskPort | TaskExposedPort>(p: P): Promise<P> => {
    let hostPort = chosen.get(key(p));
    if (hostPort === undefined) {
      hostPort = await freePort(p.protocol, new Set(chosen.values()));
      chosen.set(key(p), hostPort);
    }
    return { ...p, hostPort };
  };
  const out: TaskSpec = { ...spec };
  if (spec.ports) {
    out.ports = [];
    for (const p of ports) out.ports.push(await bind(p));
  }
  if (spec.expose) {
    out.expose = [];
    for (const p of expose) out.expose.push(await bind(p));
  }
  return out;
}

/**
 * Host ports for an image's EXPOSE ports that the task does not bind already, as many as the
 * task's status can still carry (MAX_TASK_PORTS in all; an image may EXPOSE thousands): the first
 * ones given; `leftOut` counts the rest.
 */
export async function bindImagePorts(spec: TaskSpec, exposed: ExposedPort[]): Promise<{ bound: TaskExposedPort[]; leftOut: number }> {
  const own = [...(spec.ports ?? []), ...(spec.expose ?? [])];
  const seen = new Set(own.map(key));
  const fresh: ExposedPort[] = [];
  for (const p of exposed) {
    if (seen.has(key(p))) continue;
    seen.add(key(p));
    fresh.push(p);
  }
  const room = Math.max(0, MAX_TASK_PORTS - own.length);
  const taken = new Set(boundPorts(spec).map((b) => b.hostPort));
  const bound: TaskExposedPort[] = [];
  for (const p of fresh.slice(0, room)) {
    const hostPort = await freePort(p.protocol, taken);
    taken.add(hostPort);
    bound.push({ target: p.target, protocol: p.protocol, hostPort });
  }
  return { bound, leftOut: fresh.length - bound.length };
}

/** The spec with the image's bound ports among its `expose` ports. */
export function withImagePorts(spec: TaskSpec, imagePorts: TaskExposedPort[]): TaskSpec {
  return imagePorts.length === 0 ? spec : { ...spec, expose: [...(spec.expose ?? []), ...imagePorts] };
}

/** `PORT` and `KELVIN_PORT_<target>` for a process task. */
export function portEnv(spec: TaskSpec): Record<string, string> {
  const bound = boundPorts(spec);
  const env: Record<string, string> = {};
  const first = bound[0];
  if (first) env.PORT = String(first.hostPort);
  for (const b of bound) env[`KELVIN_PORT_${b.target}`] ??= String(b.hostPort);
  return env;
}

/** Docker's ExposedPorts and PortBindings for a container task. */
export function dockerPorts(spec: TaskSpec): { ExposedPorts?: Record<string, object>; PortBindings?: Record<string, Array<{ HostPort: string }>> } {
  const bound = boundPorts(spec);
  if (bound.length === 0) return {};
  const exposed: Record<string, object> = {};
  const bindings: Record<string, Array<{ HostPort: string }>> = {};
  for (const b of bound) {
    exposed[`${b.target}/${b.protocol}`] = {};
    bindings[`${b.target}/${b.protocol}`] = [{ HostPort: String(b.hostPort) }];
  }
  return { ExposedPorts: exposed, PortBindings: bindings };
}
