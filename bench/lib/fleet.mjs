/**
 * A running simulated fleet with work on it, for the heat-wave and brownout benches: Mosquitto, the
 * manager with the boards registered, a replicated process service of `tasksPerBoard` x N
 * replicas created before the boards come up, and `kelvin sim` with the scenario's flags.
 */
import { defaultServiceSpec } from '../../dist/shared/service-spec.js';
import { registerNodes, simNodeIds, startManager, startMosquitto, startSim } from './cluster.mjs';
import { waitFor } from './net.mjs';

export const SERVICE = 'bench-work';

export async function startFleet({ dir, nodes, tasksPerBoard, durationS, simFlags }) {
  const mosquitto = await startMosquitto(dir);
  const token = registerNodes(`${dir}/manager`, simNodeIds(nodes));
  const manager = await startManager({ dir, brokerUrl: mosquitto.url });
  const replicas = nodes * tasksPerBoard;
  await manager.post('/v1/services', { ...defaultServiceSpec(SERVICE), driver: 'process', command: ['/bin/sh', '-c', 'while true; do sleep 1; done'], replicas });
  const rampS = Math.max(1, Math.ceil(nodes / 1000));
  const sim = startSim(dir, ['--broker', mosquitto.url, '--token', token, '--nodes', String(nodes), '--interval', '1s', '--ramp', `${rampS}s`, '--duration', `${durationS}s`, '--status-every', '10s', ...simFlags]);
  const startedAt = Date.now();
  return {
    manager,
    sim,
    replicas,
    startedAt,
    /** Resolves once every replica runs (as the boards report it); returns ms since the sim started. */
    async allRunning(timeoutMs) {
      await waitFor(`${replicas} tasks running`, async () => (await service(manager)).running === replicas, timeoutMs, 500);
      return Date.now() - startedAt;
    },
    async stop() {
      await manager.stop();
      await mosquitto.stop();
    },
  };
}

export const service = (manager) => manager.get(`/v1/services/${SERVICE}`);
export const tasks = (manager) => manager.get(`/v1/tasks?service=${SERVICE}`);
