/**
 * What `kelvin service update` and `service rollback` print without --detach: one line per task
 * as it changes state, then the outcome once the rollout completes, pauses or rolls back (as
 * `docker service update` waits). A paused update, or an update that was rolled back, is a
 * failure: one `kelvin:` line with the reason, exit 1.
 */
import type { ServiceView, TaskView } from '../../manager/api/views.js';
import type { KelvinClient } from '../client.js';
import { CliError } from '../errors.js';
import { shortId, taskName } from '../format/tasks.js';
import { formatLines } from '../output.js';

const POLL_MS = 500;
const seg = encodeURIComponent;

/** Follows the rollout of `version` (the version the update or rollback made) to its end. */
export async function followRollout(client: KelvinClient, service: ServiceView, kind: 'update' | 'rollback', sleep = defaultSleep): Promise<void> {
  const seen = new Map<string, string>();
  for (;;) {
    const [now, tasks] = await Promise.all([
      client.get<ServiceView>(`/services/${seg(service.id)}`),
      client.get<TaskView[]>(`/services/${seg(service.id)}/tasks`),
    ]);
    for (const t of tasks) {
      if (t.desiredState !== 'running' && seen.get(t.id) === undefined) continue;
      const line = `${t.state}${t.desiredState === 'shutdown' ? ' (shutting down)' : ''}`;
      if (seen.get(t.id) === line) continue;
      seen.set(t.id, line);
      process.stdout.write(formatLines([`${taskName(t)} ${shortId(t.id)} v${t.serviceVersion}: ${line}${t.error ? ` (${t.error})` : ''}`]));
    }
    const status = now.updateStatus;
    if (status === null || status.version < service.version) {
      // Nothing for the tasks to roll out (a replica count, say): done once the service converged.
      if (now.running === now.desired) return void process.stdout.write(formatLines([`${now.name}: converged`]));
    } else if (status.state === 'completed') {
      return void process.stdout.write(formatLines([`${now.name}: ${status.message}`]));
    } else if (status.state === 'rollback_completed') {
      if (kind === 'rollback') return void process.stdout.write(formatLines([`${now.name}: ${status.message}`]));
      throw new CliError(`service ${now.name} was rolled back: ${status.message}`);
    } else if (status.state === 'paused' || status.state === 'rollback_paused') {
      throw new CliError(`service ${now.name}: ${status.message} (kelvin service update or kelvin service rollback moves on)`);
    }
    await sleep(POLL_MS);
  }
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
