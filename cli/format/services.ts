/** `kelvin service ls`, `stack services`, `stack ls` tables and `service inspect --pretty`. */
import type { ServiceView, StackView } from '../../manager/api/views.js';
import { formatTable } from '../output.js';
import { formatPorts } from './ports.js';
import { shortId } from './tasks.js';

/** What the service runs: the image for docker, the command line for a process. */
export function serviceRuns(s: ServiceView): string {
  const argv = [...(s.spec.entrypoint ?? []), ...(s.spec.command ?? [])].join(' ');
  return s.spec.driver === 'docker' ? (s.spec.image ?? '-') : argv || '-';
}

export function serviceTable(services: ServiceView[]): string {
  return formatTable(
    ['ID', 'NAME', 'MODE', 'REPLICAS', 'DRIVER', 'IMAGE / COMMAND', 'PORTS', 'UPDATE'],
    services.map((s) => [shortId(s.id), s.name, s.mode, `${s.running}/${s.desired}`, s.spec.driver, serviceRuns(s), formatPorts(s.spec.ports), updateCell(s)]),
  );
}

/** The latest rolling update's state, and why when it stopped short (`paused: update paused due to ...`). */
export function updateCell(s: ServiceView): string {
  const u = s.updateStatus;
  if (u === null) return '';
  return u.state === 'paused' || u.state === 'rollback_paused' ? `${u.state}: ${u.message}` : u.state;
}

export function stackTable(stacks: StackView[]): string {
  return formatTable(
    ['NAME', 'SERVICES'],
    stacks.map((s) => [s.name, String(s.services)]),
  );
}
