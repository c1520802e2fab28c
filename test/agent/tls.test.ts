/**
 * `kelvin agent --broker mqtts://... --ca FILE` against a real Mosquitto with a TLS listener and a
 * throwaway CA made by openssl: the right CA connects and the retained facts arrive; no CA or the
 * wrong one never connects, and the agent says why once instead of crash-looping.
 */
import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeTopic } from '../../shared/topics.js';
import { boardRoot, fixtureEnv } from './sensors/fixture-boards.js';
import { spawnKelvin } from '../helpers/cli.js';
import { freePort, startMosquittoWithConfig, type RunningBroker } from '../helpers/mosquitto.js';
import { hasMosquitto } from '../helpers/requirements.js';
import { hasOpenssl, makeCa, makeServerCert, tlsListenerConfig, type TlsFiles } from '../helpers/tls-certs.js';

const BOARD = boardRoot('x86-nvidia');

describe.skipIf(!hasMosquitto || !hasOpenssl)('agent over mqtts:// with --ca', () => {
  let dir: string;
  let tls: TlsFiles;
  let wrongCa: string;
  let broker: RunningBroker;
  let watcher: MqttClient;
  const facts = new Map<string, unknown>();
  const agents: ChildProcess[] = [];

  /** A `kelvin agent` on the x86 fixture; its stderr (the JSON log) is collected. */
  function startAgent(name: string, extra: string[]): { child: ChildProcess; log: () => string } {
    let log = '';
    const child = spawnKelvin(
      ['agent', '--broker', broker.url, '--token', 'KLV-1-TLSTEST', '--state-dir', join(dir, name), '--host-root', BOARD, '--name', name, '--interval', '500ms', ...extra],
      { env: { ...fixtureEnv(BOARD), KELVIN_LOG_LEVEL: 'info' } },
    );
    child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    agents.push(child);
    return { child, log: () => log };
  }

  const nodeIdOf = (name: string): string => readFileSync(join(dir, name, 'node-id'), 'utf8').trim();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kelvin-tls-'));
    chmodSync(dir, 0o755);
    makeCa(dir, 'ca');
    tls = makeServerCert(dir, 'ca');
    wrongCa = makeCa(dir, 'other-ca');
    const port = await freePort();
    broker = await startMosquittoWithConfig(tlsListenerConfig(port, tls), port, 'mqtts');
    watcher = await connectAsync(broker.url, { ca: readFileSync(tls.ca), reconnectPeriod: 0 });
    watcher.on('message', (topic, payload) => facts.set(topic, JSON.parse(payload.toString())));
    await watcher.subscribeAsync('kelvin/v1/nodes/+/facts', { qos: 1 });
  }, 30_000);

  afterAll(async () => {
    for (const a of agents) if (a.exitCode === null) a.kill('SIGKILL');
    await watcher?.endAsync(true);
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('connects with the CA that signed the broker certificate, and its retained facts arrive', async () => {
    startAgent('tls-good', ['--ca', tls.ca]);
    await expect.poll(() => facts.size, { timeout: 15_000 }).toBe(1);
    const id = nodeIdOf('tls-good');
    expect(facts.get(nodeTopic(id, 'facts'))).toMatchObject({ nodeId: id, hostname: 'tls-good' });
  });

  it('does not connect without --ca or with the wrong CA, and logs one clear error, not a stack trace', async () => {
    const noCa = startAgent('tls-no-ca', []);
    const badCa = startAgent('tls-wrong-ca', ['--ca', wrongCa]);
    // Long enough for several reconnect attempts (0.5 s backoff doubling).
    await new Promise((r) => setTimeout(r, 3500));
    for (const agent of [noCa, badCa]) {
      expect(agent.child.exitCode).toBeNull();
      const errors = agent.log().split('\n').filter((l) => l.includes('broker connection error'));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/self[- ]signed certificate|unable to verify|unable to get local issuer/);
      expect(agent.log()).not.toMatch(/\n\s+at /);
      expect(agent.log()).toMatch(/reconnecting/);
    }
    expect([...facts.keys()]).toEqual([nodeTopic(nodeIdOf('tls-good'), 'facts')]);
  });
});
