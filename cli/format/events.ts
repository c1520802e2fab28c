/** `kelvin events` output: one line per state change, oldest first, as `docker events` prints. */
import type { EventView } from '../../manager/api/views.js';
import { formatLines } from '../output.js';

/** `2026-05-01T12:00:03.120Z  task.move  3fj2k...  task 3fj2k of web moves off node pi-2: ...` */
export function eventLine(e: EventView): string {
  return formatLines([`${new Date(e.at).toISOString()}  ${e.kind.padEnd(18)}  ${e.subject}  ${e.message}`]);
}
