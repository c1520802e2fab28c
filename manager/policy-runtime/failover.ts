/** The one `thermal.failover` alert of a hot episode, once the moves are decided: which task went where. */
import type { Alert } from '../../shared/payloads/alert.js';
import type { TaskMove } from '../orchestrator/orchestrator.js';
import { countOf } from '../policy/alerts.js';

/** The engine's failover alert with `details.tasks` [{taskId, service, from, to}] and the moves in its message. */
export function failoverAlert(engineAlert: Alert, moves: readonly TaskMove[]): Alert {
  // The engine's message ends with what it asks for ("moving its movable tasks..."); say what was done instead.
  const cause = engineAlert.message.split(': moving ')[0] ?? engineAlert.message;
  const where = moves.map((m) => `${m.service} ${m.taskId} to ${m.to}`).join(', ');
  return {
    ...engineAlert,
    message: `${cause}: moving ${countOf(moves.length, 'task')} to cooler nodes (${where})`,
    details: { ...engineAlert.details, tasks: moves.map(({ taskId, service, from, to }) => ({ taskId, service, from, to })) },
  };
}
