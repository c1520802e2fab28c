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
import { issueServerTls } from '../../manager/tls/cluster-tls.js';
import { isLoopbackHost, isValidSan, managerSans } from '../../manager/tls/sans.js';
import { createLogger, type Logger } from '../../shared/logger.js';
import { parseDurationMs } from '../../shared/units.js';
import { ADMIN_TOKEN_FILE } from '../client.js';
import { localApiUrl, writeApiInfo } from '../context/local-manager.js';
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
  tlsSans: '--tls-san',
  brokerUrl: '--broker',
  brokerCaFile: '--broker-ca',
  http: '--http',
  dataDir: '--data-dir',
  vipRange: '--vip-range',
};

function managerOptionsFrom(flags: ManagerFlags, localAgentNodeId: string | null): ManagerOptions {
  const port = flags.mqttPort === undefined ? null : Number(flags.mqttPort);
  if (flags.mqttPort !== undefined && (!/^\d+$/.test(flags.mqttPort) || Number(flags.mqttPort) > 65535)) throw new UsageError(`--mqtt-port: '${flags.mqttPort}' is not a port number`);
  const nodeTimeoutMs = parseDurationMs(flags.nodeTimeout);
  if (nodeTimeoutMs === null || nodeTimeoutMs < 100) throw new UsageError(`--node-timeout: '${flags.nodeTimeout}' is not a duration of at least 100ms (e.g. 5s)`);
  const input = {
    dataDir: resolve(flags.dataDir ?? defaultDataDir()),
    mqttPort: port,
    mqttHost: flags.mqttHost,
    insecureMqtt: flags.insecureMqtt === true,
    tlsSans: flags.tlsSan,
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
    secretsKeyFile: flags.secretsKeyFile ?? null,
    vipRange: flags.vipRange,
  };
  const parsed = managerOptions.safeParse(input);
  if (parsed.success) return parsed.data;
  const { path, message } = firstIssue(parsed.error);
  const option = String(path[0] ?? '');
  const index = typeof path[1] === 'number' ? path[1] : null;
  const list = option === 'tlsSans' ? flags.tlsSan : flags.alertWebhook;
  const value = index === null ? '' : ` '${list[index] ?? ''}'`;
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
  const scheme = options.insecureMqtt ? 'mqtt' : 'mqtts';
  const brokerUrl = options.brokerUrl ?? `${scheme}://${advertisedHost(options.mqttHost)}:${manager.mqttPort}`;
  let api: ApiServer;
  try {
    const address = splitHostPort(options.http);
    // Beyond loopback the admin token and everything else would cross the network: HTTPS.
    const tls = isLoopbackHost(address.host) || !manager.serverTls ? null : { cert: manager.serverTls.cert, key: manager.serverTls.key };
    api = await startApi(manager, { ...address, brokerUrl, tls, logger: logger.child({ component: 'api' }) });
    const https = api;
    if (tls) manager.onServerTlsRenewed((renewed) => https.setTls(renewed));
  } catch (err) {
    await manager.stop();
    throw new CliError(`cannot serve the API on ${options.http}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }

  let agent: RunningAgent | null = null;
  if (flags.agent) agent = await startLocalAgent(flags, agentStateDir, manager, logger);

  const caFile = api.url.startsWith('https://') ? join(dataDir, 'tls', 'ca.pem') : null;
  // The CLI on this host reads this to find the API, its admin token and CA without any setup.
  writeApiInfo(dataDir, { url: localApiUrl(api.url), adminTokenFile: join(dataDir, ADMIN_TOKEN_FILE), caFile });
  printBanner(firstStart, { token: manager.cluster.joinToken(), brokerUrl }, { url: api.url, remoteUrl: remoteApiUrl(api.url), caFile }, dataDir);
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
    // The cluster CA is right here: no need to pin it from the handshake.
    ca: manager.mqttCaPath ?? undefined,
  });
  try {
    return await startAgent(options, logger.child({ component: 'agent' }));
  } catch (err) {
    await manager.stop();
    throw new CliError(`cannot start the local agent: ${(err as Error).message} (use --no-agent to run the manager alone)`);
  }
}

/** The API's URL as another machine would use it: a wildcard bind becomes this host's address. */
function remoteApiUrl(url: string): string | null {
  const { hostname, port, protocol } = new URL(url);
  if (isLoopbackHost(hostname.replace(/^\[|\]$/g, ''))) return null;
  const host = hostname === '0.0.0.0' || hostname === '[::]' ? advertisedHost(hostname) : hostname;
  return `${protocol}//${host}:${port}`;
}

/** To stderr, so stdout stays clean; the last lines say exactly how a CLI elsewhere reaches the API. */
function printBanner(firstStart: boolean, joinInfo: JoinTokenView, api: { url: string; remoteUrl: string | null; caFile: string | null }, dataDir: string): void {
  const tokenFile = join(dataDir, ADMIN_TOKEN_FILE);
  const lines = firstStart
    ? ['Kelvin manager initialised.', '', 'To add a board to this cluster, run on it:', '', `    ${joinCommand(joinInfo)}`, '']
    : ['Kelvin manager started. Show the join command with: kelvin join-token', ''];
  lines.push(`API: ${api.url} (admin token in ${tokenFile})`);
  lines.push(dataDir === resolve(defaultDataDir()) ? 'The kelvin CLI on this host finds it by itself.' : `The kelvin CLI on this host finds it with: export KELVIN_HOST=${localApiUrl(api.url)} KELVIN_TOKEN=$(cat ${tokenFile})`);
  if (api.remoteUrl === null) {
    lines.push('It listens on loopback only; to use it from another machine, start the manager with --http 0.0.0.0:8080 (HTTPS).', '');
  } else {
    const files = api.caFile ? `${tokenFile} and ${api.caFile}` : tokenFile;
    lines.push(
      `To use it from another machine, copy ${files} there and run:`,
      '',
      `    kelvin context create ${hostname().replace(/[^a-zA-Z0-9_.+-]/g, '-')} --host ${api.remoteUrl} --token-file admin.token${api.caFile ? ' --ca-file ca.pem' : ''}`,
      `    kelvin context use ${hostname().replace(/[^a-zA-Z0-9_.+-]/g, '-')}`,
      '',
      `  (or for one shell: export KELVIN_HOST=${api.remoteUrl} KELVIN_TOKEN=$(cat admin.token)${api.caFile ? ' NODE_EXTRA_CA_CERTS=ca.pem' : ''})`,
      '',
    );
  }
  process.stderr.write(`${lines.join('\n')}\n`);
}

export function printBrokerConfig(flags: BrokerConfigFlags): void {
  const listen = flags.listen ?? (flags.insecureMqtt ? '1883' : '8883');
  if (!/^([^\s:]+:)?\d{1,5}$/.test(listen)) throw new UsageError(`--listen: '${listen}' is not [HOST:]PORT`);
  const badSan = flags.tlsSan.find((san) => !isValidSan(san));
  if (badSan !== undefined) throw new UsageError(`--tls-san: '${badSan}' is not an IP address or a DNS name`);
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
  const listenHost = listen.includes(':') ? listen.slice(0, listen.lastIndexOf(':')) : null;
  // The broker's certificate, signed by the cluster CA, for this host and the names given.
  const serverTls = flags.insecureMqtt ? null : issueServerTls(dataDir, managerSans([...flags.tlsSan, ...(listenHost ? [listenHost] : [])]));
  const dir = flags.out ? resolve(flags.out) : '/etc/mosquitto';
  // Next to the password file: Mosquitto reads them as its own user, which cannot enter the data dir.
  const tlsFiles = serverTls && { cafile: join(dir, 'kelvin-ca.pem'), certfile: join(dir, 'kelvin-server.pem'), keyfile: join(dir, 'kelvin-server.key') };
  const paths = { passwordFile: join(dir, 'kelvin.passwd'), aclFile: join(dir, 'kelvin.acl'), listen, tls: tlsFiles };
  for (const id of config.skippedNodes) {
    process.stderr.write(`note: node ${id} joined through the external broker; its line in ${paths.passwordFile} comes from mosquitto_passwd${flags.out ? ' and is kept' : ''}\n`);
  }
  const copies = serverTls && tlsFiles && !flags.out ? `#  0. Copy the TLS files: install -m 644 ${serverTls.ca.certPath} ${tlsFiles.cafile} && install -m 644 ${serverTls.certPath} ${tlsFiles.certfile} && install -m 640 -g mosquitto ${serverTls.keyPath} ${tlsFiles.keyfile}\n` : '';
  const steps = brokerSteps(paths.passwordFile, listen, joinToken, serverTls ? serverTls.ca.certPath : null).replace('# Steps:\n', `# Steps:\n${copies}`);
  if (flags.out) {
    mkdirSync(dir, { recursive: true });
    const existing = existsSync(paths.passwordFile) ? readFileSync(paths.passwordFile, 'utf8') : '';
    // Mosquitto started as root drops to its own user before reading these: chgrp mosquitto.
    writeFileSync(paths.passwordFile, mergePasswordFiles(config.passwordFile, existing), { mode: 0o640 });
    chmodSync(paths.passwordFile, 0o640);
    writeFileSync(paths.aclFile, config.aclFile, { mode: 0o644 });
    const wrote = [paths.passwordFile, paths.aclFile];
    if (serverTls && tlsFiles) {
      writeFileSync(tlsFiles.cafile, serverTls.ca.certPem, { mode: 0o644 });
      writeFileSync(tlsFiles.certfile, serverTls.cert, { mode: 0o644 });
      writeFileSync(tlsFiles.keyfile, serverTls.key, { mode: 0o640 });
      chmodSync(tlsFiles.keyfile, 0o640);
      wrote.push(tlsFiles.cafile, tlsFiles.certfile, tlsFiles.keyfile);
    }
    process.stdout.write(`# Wrote ${wrote.join(', ')}.\n${steps}# ---- mosquitto.conf ----\n${config.mosquittoConf(paths)}`);
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
function brokerSteps(passwordFile: string, listen: string, joinToken: string, caFile: string | null): string {
  const port = listen.slice(listen.lastIndexOf(':') + 1);
  const url = `${caFile ? 'mqtts' : 'mqtt'}://BROKER-HOST:${port}`;
  return [
    '# Steps:',
    '#  1. Install the password file (chgrp mosquitto) and ACL below' + (caFile ? ', and the TLS files (the key chgrp mosquitto, mode 640);' : ';'),
    "#     put the mosquitto.conf lines in the broker's config (e.g. /etc/mosquitto/conf.d/kelvin.conf) and restart Mosquitto.",
    `#  2. Start the manager: kelvin manager --broker ${url}${caFile ? ` --broker-ca ${caFile}` : ''}`,
    ...(caFile ? ['#     (BROKER-HOST must be a name in the certificate: this host\'s names and addresses, or --tls-san)'] : []),
    '#  3. On each new board, show its broker account:',
    `#       kelvin agent --print-mqtt-credentials --token ${joinToken}`,
    '#     and add it on the broker host, then reload Mosquitto:',
    `#       mosquitto_passwd -b ${passwordFile} NODE-ID 'PASSWORD' && pkill -HUP -x mosquitto`,
    `#  4. Start the agent: kelvin agent --broker ${url} --token ${joinToken}`,
    ...(caFile ? ['#     (it pins the cluster CA named by the token on first contact: no file to copy)'] : []),
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
