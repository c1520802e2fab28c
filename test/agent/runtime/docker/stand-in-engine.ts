import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerController } from '../../../../agent/runtime/docker/controller.js';
import { EngineClient } from '../../../../agent/runtime/docker/engine-client.js';
import type { ImagePlatform } from '../../../../shared/image-platform.js';
import { silentLogger } from '../../../../shared/logger.js';
import type { TaskSpec } from '../../../../shared/payloads/tasks.js';
import { taskSpec } from '../../../helpers/task-spec.js';

export type StandInEngine = Awaited<ReturnType<typeof standInEngine>>;

/**
 * A stand-in engine on a real unix socket, for the answers a healthy engine will not give on
 * demand (an old API version, a 500, silence, a registry's manifest list).
 */
export function standInEngine(handler: http.RequestListener): Promise<{ socketPath: string; paths: string[]; close: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'kelvin-engine-'));
  const socketPath = join(dir, 'docker.sock');
  const paths: string[] = [];
  const server = http.createServer((req, res) => {
    paths.push(`${req.method} ${req.url}`);
    handler(req, res);
  });
  return new Promise((resolve) =>
    server.listen(socketPath, () =>
      resolve({
        socketPath,
        paths,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => {
              rmSync(dir, { recursive: true, force: true });
              done();
            });
          }),
      }),
    ),
  );
}

export function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}


/** A Docker controller for one container task (`spec` over a default), talking to a stand-in engine. */
export function standInController(socketPath: string, spec: Partial<TaskSpec>, platform: ImagePlatform | null = null): DockerController {
  const ctx = {
    client: new EngineClient({ socketPath }),
    logger: silentLogger(),
    nodeId: 'n1',
    materialsRoot: null,
    pullIdleTimeoutMs: 5_000,
    stopTimeoutMs: 1_000,
    healthPollMs: 1_000,
    platform,
  };
  return new DockerController(taskSpec({ driver: 'docker', command: null, ...spec }), ctx);
}
