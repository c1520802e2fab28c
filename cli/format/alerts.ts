/** `kelvin alerts` output: one line per alert, oldest first, as `docker events` prints. */
import type { AlertView } from '../../manager/api/views.js';
import { ALERT_KINDS } from '../../shared/payloads/alert.js';
import { formatLines } from '../output.js';

/** The longest alert kind, so every message starts in the same column. */
const KIND_WIDTH = Math.max(...ALERT_KINDS.map((k) => k.length));

/** `2026-05-01T12:00:03.120Z  WARNING   thermal.throttle   pi-2  pi-2 is hot: ...` */
export function alertLine(a: AlertView): string {
  return formatLines([`${new Date(a.at).toISOString()}  ${a.severity.toUpperCase().padEnd(8)}  ${a.kind.padEnd(KIND_WIDTH)}  ${a.nodeId ?? '-'}  ${a.message}`]);
}
