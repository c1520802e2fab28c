/** A container task's published target answers on the host port the agent picked (real engine). */
import { afterAll, describe, expect, it } from 'vitest';
import { assignHostPorts } from '../../../agent/mesh/task-ports.js';
import { hasDocker } from '../../helpers/requirements.js';
import { EngineFixture } from '../runtime/docker/engine-fixture.js';

describe.skipIf(!hasDocker)('Docker task ports', () => {
  const fx = new EngineFixture();
  afterAll(() => fx.removeAll());

  it('publishes the target port on the chosen host port', async () => {
    const spec = await assignHostPorts(
      fx.spec(['sh', '-c', 'mkdir -p /www && echo hello-from-container > /www/index.html && exec httpd -f -p 80 -h /www'], {
        ports: [{ published: 8080, target: 80, protocol: 'tcp', mode: 'ingress' }],
      }),
    );
    const hostPort = spec.ports?.[0]?.hostPort;
    expect(hostPort).toBeGreaterThan(0);
    expect(hostPort).not.toBe(8080);
    const task = fx.executor().controller(spec);
    await task.prepare();
    await task.start();
    await expect
      .poll(() => fetch(`http://127.0.0.1:${hostPort}/`).then((r) => r.text()).catch(() => ''), { timeout: 15_000, interval: 200 })
      .toBe('hello-from-container\n');
    await task.stop(1000);
  });
});
