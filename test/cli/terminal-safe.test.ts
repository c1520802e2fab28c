/**
 * A board's hostname, labels and messages never reach the admin's terminal raw: `node ls`,
 * `node inspect --pretty` and `events` through the built CLI against a real manager, with a board
 * that reports a hostname carrying escape sequences and a forged table row; `--json` keeps it exact.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTable } from '../../cli/output.js';
import { terminalSafe } from '../../cli/terminal-safe.js';
import { startApi, type ApiServer, type NodeView } from '../../manager/api/index.js';
import { startManager, type RunningManager } from '../../manager/manager.js';
import { silentLogger } from '../../shared/logger.js';
import { runKelvin } from '../helpers/cli.js';
import { eventually, SimulatedBoard } from '../manager/broker/broker-client.js';
import { factsFor } from '../manager/orchestrator/harness.js';

const EVIL_HOSTNAME = '\x1b]0;owned\x07\x1b[2J\x1b[H\r\nnode-z   Ready   Active';
const EVIL_LABEL = 'gpu\x1b[31m\u202eeurt';
/** Any byte that could move the cursor, recolour, retitle or start a new line. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]/;

describe('terminalSafe', () => {
  it('shows control characters escaped instead of passing or dropping them', () => {
    expect(terminalSafe('a\x1b[2Jb\x07\r\n\t\x7f\x9b\u202ez')).toBe('a\\x1b[2Jb\\x07\\r\\n\\t\\x7f\\x9b\\u{202e}z');
    expect(terminalSafe('pi-1 · 48.5°C')).toBe('pi-1 · 48.5°C');
  });

  it('keeps a table one row per record whatever a cell holds', () => {
    const table = formatTable(['id', 'hostname'], [['n1', 'a\nn2   forged'], ['n2', 'b']]);
    expect(table.split('\n')).toEqual(['ID   HOSTNAME', 'n1   a\\nn2   forged', 'n2   b', '']);
  });
});

describe('kelvin node ls / inspect --pretty / events with a hostile hostname', () => {
  let dir: string;
  let manager: RunningManager;
  let api: ApiServer;
  const boards: SimulatedBoard[] = [];
  let env: NodeJS.ProcessEnv;
  const kelvin = (...args: string[]): ReturnType<typeof runKelvin> => runKelvin(args, { env });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kelvin-escapes-'));
    manager = await startManager({ dataDir: dir, mqttHost: '127.0.0.1', mqttPort: 0, insecureMqtt: true, nodeTimeoutMs: 5000 }, { logger: silentLogger() });
    api = await startApi(manager, { host: '127.0.0.1', port: 0, brokerUrl: manager.mqttUrl, logger: silentLogger() });
    env = { ...process.env, KELVIN_HOST: api.url, KELVIN_TOKEN: readFileSync(manager.adminTokenPath, 'utf8').trim() };
    const joinBoard = (id: string, hostname: string, labels: Record<string, string> = {}): Promise<SimulatedBoard> =>
      SimulatedBoard.connect(manager.mqttUrl, id, manager.cluster.joinToken(), `${id}-secret`, factsFor(id, { hostname, labels }));
    boards.push(await joinBoard('node-a', 'node-a'), await joinBoard('evil', EVIL_HOSTNAME, { [EVIL_LABEL]: 'x\x1b[8m' }));
    await eventually(() => manager.store.listNodes().filter((n) => n.status === 'ready' && n.facts !== null).length === 2, 10_000, 'both boards ready');
  });

  afterAll(async () => {
    for (const b of boards) await b.close();
    await api?.close();
    await manager?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('node ls prints one row per node, the hostname escaped, no control character anywhere', async () => {
    const { code, stdout } = await kelvin('node', 'ls');
    expect(code).toBe(0);
    expect(stdout).not.toMatch(CONTROL);
    const rows = stdout.trimEnd().split('\n');
    expect(rows).toHaveLength(3);
    expect(rows.filter((r) => r.startsWith('node-z'))).toEqual([]);
    expect(rows.find((r) => r.startsWith('evil'))).toContain('\\x1b]0;owned\\x07\\x1b[2J\\x1b[H\\r\\nnode-z   Ready   Active');
  });

  it('node inspect --pretty escapes the hostname and labels; --json and node ls --json keep the original', async () => {
    const pretty = await kelvin('node', 'inspect', '--pretty', 'evil');
    expect(pretty.code).toBe(0);
    expect(pretty.stdout).not.toMatch(CONTROL);
    expect(pretty.stdout).toContain('Hostname:      \\x1b]0;owned\\x07');
    expect(pretty.stdout).toContain('  - gpu\\x1b[31m\\u{202e}eurt=x\\x1b[8m');
    const [inspected] = JSON.parse((await kelvin('node', 'inspect', 'evil')).stdout) as NodeView[];
    expect(inspected?.hostname).toBe(EVIL_HOSTNAME);
    const listed = JSON.parse((await kelvin('node', 'ls', '--json')).stdout) as NodeView[];
    expect(listed.find((n) => n.id === 'evil')?.hostname).toBe(EVIL_HOSTNAME);
  });

  it('events print the node messages that quote the hostname escaped', async () => {
    const { stdout } = await kelvin('events');
    expect(stdout).toContain('\\x1b]0;owned');
    expect(stdout).not.toMatch(CONTROL);
  });
});
