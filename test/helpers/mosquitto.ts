/** Starts a real Mosquitto on a free loopback port for one test file. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mosquittoBinary } from './requirements.js';

export interface RunningBroker {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = createConnection({ port, host: '127.0.0.1' }, () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`mosquitto did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `extraConfig` lines are appended to the generated mosquitto.conf (ACLs, password files). */
export async function startMosquitto(extraConfig: string[] = []): Promise<RunningBroker> {
  const port = await freePort();
  const hasAuth = extraConfig.some((l) => l.startsWith('password_file'));
  return startMosquittoWithConfig(
    [`listener ${port} 127.0.0.1`, `allow_anonymous ${hasAuth ? 'false' : 'true'}`, 'persistence false', ...extraConfig, ''].join('\n'),
    port,
  );
}

export interface ConfiguredBroker extends RunningBroker {
  /** SIGHUP: Mosquitto re-reads its password and ACL files. */
  reload(): void;
}

/**
 * Mosquitto with a whole mosquitto.conf written by the caller (a TLS listener, the config
 * `kelvin manager broker-config` prints), listening on `port` of 127.0.0.1.
 */
export async function startMosquittoWithConfig(config: string, port: number, scheme: 'mqtt' | 'mqtts' = 'mqtt'): Promise<ConfiguredBroker> {
  const bin = mosquittoBinary();
  if (!bin) throw new Error('mosquitto is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'kelvin-mosq-'));
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, config);
  const child: ChildProcess = spawn(bin, ['-c', conf], { stdio: 'ignore' });
  await waitForPort(port, 5000);
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    port,
    reload: () => child.kill('SIGHUP'),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
