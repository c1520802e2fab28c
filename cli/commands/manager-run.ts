/** What `kelvin manager` and `kelvin manager broker-config` run (the flags are in manager.ts). */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { join, resolve } from 'node:path';
import { startAgent, type RunningAgent } from '../../agent/daemon.js';
import { loadOrCreateIdentity } from '../../agent/identity.js';
import { parseRunOptions } from '../../agent/options.js';
import { startApi, type ApiServer, type JoinTokenView } from '../../manager/api/index.js';
import { mergePasswordFiles, mosquittoConfigFromStore } from '../../manager/broker/index.js';
import { DB_FILE, startManager, type RunningManager } from '../../manager/manager.js';
import { defaultDataDir, managerOptions, type ManagerOptions } from '../../manager/options.js';
import { ensureClusterIdentity, Store } from '../../manager/store/index.js';
import { backupDatabase } from '../../manager/store/backup.js';
import { createLogger, type Logger } from '../../shared/logger.js';
import { parseDurationMs } from '../../shared/units.js';
import { ADMIN_TOKEN_FILE } from '../client.js';
import { nextTerminationSignal } from '../signals.js';
import { CliError, UsageError } from '../errors.js';
import { joinCommand } from './join-token.js';
import type { BrokerConfigFlags, ManagerFlags } from './manager.js';
import { firstIssue } from '../../shared/zod-issue.js';

function durationFlag(flag: string, text: string): number {
  const ms = parseDurationMs(text);
  if (ms === null) throw new UsageError(`${flag}: '${text}' is not a duration (e.g. 10s, 5m)`);
  return ms;
}

/** The manager option behind each flag, so a refused value names the flag the user typed. */
const FLAG_OF_OPTION: Record<string, string> = {
  alertWebhooks: '--alert-webhook',
  mqttHost: '--mqtt-host',
  brokerUrl: '--broker',
  brokerCaFile: '--broker-ca',
  http: '--http',
  dataDir: '--data-dir',
};

function managerOptionsFrom(flags: ManagerFlags, localAgentNodeId: string | null): ManagerOptions {
  const port = Number(flags.mqttPort);
  if (!/^\d+$/.test(flags.mqttPort) || port > 65535) throw new UsageError(`--mqtt-port: '${flags.mqttPort}' is not a port number`);
  const nodeTimeoutMs = parseDurationMs(flags.nodeTimeout);
  if (nodeTimeoutMs === null || nodeTimeoutMs < 100) throw new UsageError(`--node-timeout: '${flags.nodeTimeout}' is not a duration of at least 100ms (e.g. 5s)`);
  const input = {
    dataDir: resolve(flags.dataDir ?? defaultDataDir()),
    mqttPort: port,
    mqttHost: flags.mqttHost,
    brokerUrl: flags.broker ?? null,
    brokerCaFile: flags.brokerCa === undefined ? null : resolve(flags.brokerCa),
    http: flags.http,
    nodeTimeoutMs,
    localAgentNodeId,
    alertWebhooks: flags.alertWebhook,
    thermalSustainMs: durationFlag('--thermal-sustain', flags.thermalSustain),
    thermalHoldMs: durationFlag('--thermal-hold', flags.thermalHold),
    powerStableMs: durationFlag('--power-stable', flags.powerStable),
    requireApproval: flags.requireApproval === true,
  };
  const parsed = managerOptions.safeParse(input);
  if (parsed.success) return parsed.data;
  const { path, message } = firstIssue(parsed.error);
  const option = String(path[0] ?? '');
  const index = typeof path[1] === 'number' ? path[1] : null;
  const value = index === null ? '' : ` '${flags.alertWebhook[index] ?? ''}'`;
  throw new UsageError(`${FLAG_OF_OPTION[option] ?? option}${value}: ${message}`);
}

/** The address boards should use: the configured one, else this host's first external IPv4. */
function advertisedHost(bindHost: string): string {
  if (bindHost !== '0.0.0.0' && bindHost !== '::') return bindHost;
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

function splitHostPort(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  return { host: address.slice(0, i), port: Number(address.slice(i + 1)) };
}

export async function runManager(flags: ManagerFlags): Promise<void> {
  const logger = createLogger('kelvin-manager');
  const dataDir = resolve(flags.dataDir ?? defaultDataDir());
  const firstStart = !existsSync(join(dataDir, DB_FILE));
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const agentStateDir = join(dataDir, 'agent');
  // The local agent's node id is fixed before the manager starts, so that node gets role `manager`.
  const localIdentity = flags.agent ? loadOrCreateIdentity(agentStateDir, hostname()) : null;
  const options = managerOptionsFrom(flags, localIdentity?.nodeId ?? null);
  const stopRequested = nextTerminationSignal();

  let manager: RunningManager;
  try {
    manager = await startManager(options, { logger });
  } catch (err) {
    throw new CliError(`cannot start the manager: ${(err as Error).message}`);
  }
  const brokerUrl = options.brokerUrl ?? `mqtt://${advertisedHost(options.mqttHost)}:${manager.mqttPort}`;
  let api: ApiServer;
  try {
    api = await startApi(manager, { ...splitHostPort(options.http), brokerUrl, logger: logger.child({ component: 'api' }) });
  } catch (err) {
    await manager.stop();
    throw new CliError(`cannot serve the API on ${options.http}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }

  let agent: RunningAgent | null = null;
  if (flags.agent) agent = await startLocalAgent(flags, agentStateDir, manager, logger);

  printBanner(firstStart, { token: manager.cluster.joinToken(), brokerUrl }, api.url, dataDir);
  const signal = await stopRequested;
  logger.info({ signal }, 'stopping');
  // A manager stop is maintenance, not node loss: the manager stops listening before its local
  // agent goes, so the agent's clean offline status marks nothing down and moves nothing.
  await api.close();
  await manager.stop();
  await agent?.stop();
  setTimeout(() => process.exit(0), 3000).unref();
}

/** The manager's own board as a worker; it joins its manager like any other agent, over MQTT. */
async function startLocalAgent(flags: ManagerFlags, stateDir: string, manager: RunningManager, logger: Logger): Promise<RunningAgent> {
  const options = parseRunOptions({
    broker: manager.mqttUrl,
    token: manager.cluster.joinToken(),
    stateDir,
    hostRoot: flags.hostRoot,
    label: [],
  });
  try {
    return await startAgent(options, logger.child({ component: 'agent' }));
  } catch (err) {
    await manager.stop();
    throw new CliError(`cannot start the local agent: ${(err as Error).message} (use --no-agent to run the manager alone)`);
  }
}

function printBanner(firstStart: boolean, joinInfo: JoinTokenView, apiUrl: string, dataDir: string): void {
  const lines = firstStart
    ? ['Kelvin manager initialised.', '', 'To add a board to this cluster, run on it:', '', `    ${joinCommand(joinInfo)}`, '']
    : ['Kelvin manager started. Show the join command with: kelvin join-token', ''];
  lines.push(`API: ${apiUrl} (admin token in ${join(dataDir, ADMIN_TOKEN_FILE)})`, '');
  process.stdout.write(lines.join('\n'));
}

export function printBrokerConfig(flags: BrokerConfigFlags): void {
  if (!/^([^\s:]+:)?\d{1,5}$/.test(flags.listen)) throw new UsageError(`--listen: '${flags.listen}' is not [HOST:]PORT`);
  const dataDir = resolve(flags.dataDir ?? defaultDataDir());
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const store = Store.open(join(dataDir, DB_FILE));
  let config;
  let joinToken;
  try {
    joinToken = ensureClusterIdentity(store, dataDir, Date.now()).cluster.joinToken;
    config = mosquittoConfigFromStore(store);
  } finally {
    store.close();
  }
  const dir = flags.out ? resolve(flags.out) : '/etc/mosquitto';
  const paths = { passwordFile: join(dir, 'kelvin.passwd'), aclFile: join(dir, 'kelvin.acl'), listen: flags.listen };
  for (const id of config.skippedNodes) {
    process.stderr.write(`note: node ${id} joined through the external broker; its line in ${paths.passwordFile} comes from mosquitto_passwd${flags.out ? ' and is kept' : ''}\n`);
  }
  const steps = brokerSteps(paths.passwordFile, flags.listen, joinToken);
  if (flags.out) {
    mkdirSync(dir, { recursive: true });
    const existing = existsSync(paths.passwordFile) ? readFileSync(paths.passwordFile, 'utf8') : '';
    // Mosquitto started as root drops to its own user before reading these: chgrp mosquitto.
    writeFileSync(paths.passwordFile, mergePasswordFiles(config.passwordFile, existing), { mode: 0o640 });
    chmodSync(paths.passwordFile, 0o640);
    writeFileSync(paths.aclFile, config.aclFile, { mode: 0o644 });
    process.stdout.write(`# Wrote ${paths.passwordFile} and ${paths.aclFile}.\n${steps}# ---- mosquitto.conf ----\n${config.mosquittoConf(paths)}`);
    return;
  }
  process.stdout.write(
    [
      steps,
      `# ---- ${paths.passwordFile} (mode 640, group mosquitto) ----`,
      config.passwordFile,
      `# ---- ${paths.aclFile} ----`,
      config.aclFile,
      '# ---- mosquitto.conf ----',
      config.mosquittoConf(paths),
    ].join('\n'),
  );
}

/** What to do with the files, as comments (the output stays a valid mosquitto.conf at its end). */
function brokerSteps(passwordFile: string, listen: string, joinToken: string): string {
  const port = listen.slice(listen.lastIndexOf(':') + 1);
  return [
    '# Steps:',
    '#  1. Install the password file (chgrp mosquitto) and ACL below; put the mosquitto.conf lines in the broker\'s config',
    '#     (e.g. /etc/mosquitto/conf.d/kelvin.conf) and restart Mosquitto.',
    `#  2. Start the manager: kelvin manager --broker mqtt://BROKER-HOST:${port}`,
    '#     (mqtts://: add cafile/certfile/keyfile to the listener, and --broker-ca CA.pem to the manager)',
    '#  3. On each new board, show its broker account:',
    `#       kelvin agent --print-mqtt-credentials --token ${joinToken}`,
    '#     and add it on the broker host, then reload Mosquitto:',
    `#       mosquitto_passwd -b ${passwordFile} NODE-ID 'PASSWORD' && pkill -HUP -x mosquitto`,
    `#  4. Start the agent: kelvin agent --broker mqtt://BROKER-HOST:${port} --token ${joinToken}`,
    '#     Its first report registers the node (kelvin node ls). To remove a board for good, delete',
    '#     its line from the password file (mosquitto_passwd -D) as well as kelvin node rm.',
    '',
  ].join('\n');
}

/** `kelvin manager backup FILE`: see manager/store/backup.ts; restoring is described in the README. */
export function backupManager(file: string, dataDirFlag: string | undefined): void {
  const dbFile = join(resolve(dataDirFlag ?? defaultDataDir()), DB_FILE);
  const target = resolve(file);
  let bytes: number;
  try {
    ({ bytes } = backupDatabase(dbFile, target));
  } catch (err) {
    throw new CliError(`backup: ${(err as Error).message}`);
  }
  process.stdout.write(`Backed up ${dbFile} to ${target} (${bytes} bytes)\n`);
}
