/**
 * Published ports as Docker prints them: `*:8080->80/tcp` for the routing mesh (every board),
 * consecutive ports folded into ranges (`*:8000-8001->80-81/tcp`). Docker leaves host-mode ports
 * out of `service ls`; Kelvin shows them, marked: `8080->80/tcp (host)`.
 */
import type { PublishedPort } from '../../shared/published-ports.js';

interface Run {
  first: PublishedPort;
  count: number;
}

const span = (from: number, count: number): string => (count === 1 ? `${from}` : `${from}-${from + count - 1}`);

function formatRun({ first, count }: Run): string {
  const mapping = `${span(first.published, count)}->${span(first.target, count)}/${first.protocol}`;
  return first.mode === 'ingress' ? `*:${mapping}` : `${mapping} (host)`;
}

export function formatPorts(ports: readonly PublishedPort[]): string {
  return portLines(ports).join(', ');
}

/** One entry per port, or per run of consecutive ports (for listings with a port on each line). */
export function portLines(ports: readonly PublishedPort[]): string[] {
  const runs: Run[] = [];
  for (const port of ports) {
    const last = runs.at(-1);
    const follows =
      last !== undefined &&
      last.first.protocol === port.protocol &&
      last.first.mode === port.mode &&
      port.published === last.first.published + last.count &&
      port.target === last.first.target + last.count;
    if (follows) last.count++;
    else runs.push({ first: port, count: 1 });
  }
  return runs.map(formatRun);
}
