/** `kelvin service ps`, `stack ps` tables: one row per task, docker style. */
import type { NodeView, TaskView } from '../../manager/api/views.js';
import { formatTable } from '../output.js';
import { ago, capitalize } from './time.js';

export const shortId = (id: string): string => id.slice(0, 12);

/** `web.2` for a replica, `web.<node>` for a global task, as docker names them. */
export function taskName(t: TaskView): string {
  return t.slot !== null ? `${t.service}.${t.slot}` : `${t.service}.${t.nodeId ?? '-'}`;
}

/**
 * Node id -> the name a task table shows: the hostname, with the node id added where two nodes
 * report the same hostname (an impostor, or a board reinstalled under a new id), so they can be
 * told apart.
 */
export function nodeNames(nodes: ReadonlyArray<Pick<NodeView, 'id' | 'hostname'>>): Map<string, string> {
  const count = new Map<string, number>();
  for (const n of nodes) count.set(n.hostname.toLowerCase(), (count.get(n.hostname.toLowerCase()) ?? 0) + 1);
  return new Map(nodes.map((n) => [n.id, (count.get(n.hostname.toLowerCase()) ?? 0) > 1 ? `${n.hostname} (${n.id})` : n.hostname]));
}

/** `Running (healthy) 5 seconds ago`: the CURRENT STATE column (and `--format {{.CurrentState}}`). */
export function currentState(t: TaskView, now = Date.now()): string {
  return `${capitalize(t.state)}${t.state === 'running' && t.health ? ` (${t.health})` : ''} ${ago(t.updatedAt, now)}`;
}

/** The ERROR column: a pending task's reason is what the user needs to see there. */
export function taskError(t: TaskView): string {
  return t.error ?? (t.state === 'pending' ? t.message : '');
}

export function taskTable(tasks: TaskView[], hostnames: ReadonlyMap<string, string>, now = Date.now()): string {
  return formatTable(
    ['ID', 'NAME', 'NODE', 'DESIRED STATE', 'CURRENT STATE', 'ERROR'],
    tasks.map((t) => [
      shortId(t.id),
      taskName(t),
      t.nodeId ? (hostnames.get(t.nodeId) ?? t.nodeId) : '',
      capitalize(t.desiredState),
      currentState(t, now),
      taskError(t),
    ]),
  );
}
