/** `kelvin alerts` output: one line per alert, oldest first, as `docker events` prints. */
import type { AlertView } from '../../manager/api/views.js';
import { formatLines } from '../output.js';

/** `2026-05-01T12:00:03.120Z  WARNING   thermal.throttle   pi-2  pi-2 is hot: ...` */
export function alertLine(a: AlertView): string {
  return formatLines([`${new Date(a.at).toISOString()}  ${a.severity.toUpperCase().padEnd(8)}  ${a.kind.padEnd(18)}  ${a.nodeId ?? '-'}  ${a.message}`]);
}
