/**
 * A running simulated fleet with work on it, for the heat-wave and brownout benches: Mosquitto, the
 * manager with the boards registered, `kelvin sim` with the scenario's flags, and a replicated
 * process service of `tasksPerBoard` x N replicas created once every board is ready. (Created
 * before the boards come up, the scheduler spreads all replicas over the first few boards that
 * report, e.g. 200 tasks on each of 10 Pis, whose desired sets then exceed the wire's 64 KiB
 * payload limit and are dropped by the agents: nothing runs.)
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
  const rampS = Math.max(1, Math.ceil(nodes / 1000));
  const sim = startSim(dir, ['--broker', mosquitto.url, '--token', token, '--nodes', String(nodes), '--interval', '1s', '--ramp', `${rampS}s`, '--duration', `${durationS}s`, '--status-every', '10s', ...simFlags]);
  const simStartedAt = Date.now();
  const ready = async () => (await manager.metrics()).value('kelvin_nodes{state="ready"}') === nodes;
  await waitFor(`${nodes} boards ready`, ready, (rampS + 30) * 1000, 250);
  await manager.post('/v1/services', { ...defaultServiceSpec(SERVICE), driver: 'process', command: ['/bin/sh', '-c', 'while true; do sleep 1; done'], replicas });
  const startedAt = Date.now();
  return {
    manager,
    sim,
    replicas,
    /** When the simulator started (its --duration counts from here). */
    simStartedAt,
    /** When the service was created. */
    startedAt,
    /** Resolves once every replica runs (as the boards report it); returns ms since the service was created. */
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
