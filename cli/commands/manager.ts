/**
 * `kelvin manager`: the control plane (store, broker, orchestrator: manager/manager.ts), the HTTP
 * API on top of it, and, as `docker swarm init` makes the manager a worker too, a local agent in
 * the same process (unless --no-agent). `kelvin manager broker-config mosquitto` prints what an
 * external Mosquitto needs to admit the cluster's nodes. The flags live here; what runs them is in
 * manager-run.ts, loaded on use so other `kelvin` commands start without the manager's code.
 */
import { Command } from 'commander';
import { defaultDataDir } from '../../manager/options.js';
import { DEFAULT_VIP_RANGE } from '../../manager/vip-allocator.js';
import { UsageError } from '../errors.js';
import { collect } from './args.js';

export interface ManagerFlags {
  dataDir?: string;
  mqttPort?: string;
  mqttHost: string;
  insecureMqtt?: boolean;
  tlsSan: string[];
  broker?: string;
  brokerCa?: string;
  http: string;
  nodeTimeout: string;
  agent: boolean;
  hostRoot?: string;
  alertWebhook: string[];
  thermalSustain: string;
  thermalHold: string;
  powerStable: string;
  requireApproval?: boolean;
  secretsKeyFile?: string;
  vipRange: string;
}

export interface BrokerConfigFlags {
  dataDir?: string;
  out?: string;
  listen?: string;
  insecureMqtt?: boolean;
  tlsSan: string[];
}

/**
 * Works before the manager ever ran: the cluster identity (the manager's broker password among it)
 * is made here if missing, since with --broker the manager cannot start until the broker admits it.
 */

export function registerManager(program: Command): void {
  const manager = program
    .command('manager')
    .description('Run the manager: cluster state, scheduling, embedded MQTT broker')
    .enablePositionalOptions()
    .option('--data-dir <dir>', `where the state lives (default: ${defaultDataDir()})`)
    .option('--mqtt-port <port>', 'embedded broker port (default: 8883, or 1883 with --insecure-mqtt)')
    .option('--mqtt-host <address>', 'embedded broker address to listen on', '0.0.0.0')
    .option('--insecure-mqtt', 'embedded broker speaks plain MQTT without TLS (join tokens and tasks cross the network in the clear)')
    .option('--tls-san <name>', "another DNS name or IP address for the manager's certificate; repeatable", collect, [])
    .option('--broker <url>', 'use this external broker instead of embedding one (see: kelvin manager broker-config mosquitto)')
    .option('--broker-ca <file>', 'CA certificate for an mqtts:// --broker with a private certificate')
    .option('--http <host:port>', 'API address', '127.0.0.1:8080')
    .option('--node-timeout <duration>', 'a node silent this long is down and its tasks move', '5s')
    .option('--no-agent', 'do not run a local agent (the manager takes no tasks)')
    .option('--host-root <dir>', "local agent: read this board's /sys, /proc and /etc under this root")
    .option('--alert-webhook <url>', 'POST every alert as JSON to this URL; repeatable', collect, [])
    .option('--thermal-sustain <duration>', 'a node hot this long has its movable tasks moved to cooler nodes', '10s')
    .option('--thermal-hold <duration>', 'a node must stay cooler this long before its thermal state steps down', '10s')
    .option('--power-stable <duration>', 'after under-voltage, a node takes new work once power is clean this long', '5m')
    .option('--require-approval', 'new nodes wait as pending (no work) until `kelvin node accept NODE`')
    .option('--secrets-key-file <file>', 'auto-lock: read the key that seals secrets from FILE (base64, mode 600), never from the data dir')
    .option('--vip-range <cidr>', "services' virtual addresses (reach by name) come from this IPv4 range", DEFAULT_VIP_RANGE)
    .action(async (flags: ManagerFlags) => (await import('./manager-run.js')).runManager(flags));

  manager
    .command('broker-config')
    .description('Print the password file, ACL and mosquitto.conf an external broker needs, with the steps')
    .argument('<broker>', 'mosquitto')
    .option('--data-dir <dir>', `manager data dir (default: ${defaultDataDir()})`)
    .option('--out <dir>', 'write kelvin.passwd, kelvin.acl and the TLS files into this directory (keeping boards already in kelvin.passwd)')
    .option('--listen <[host:]port>', 'the MQTT listener to configure (default: 8883, or 1883 with --insecure-mqtt)')
    .option('--insecure-mqtt', 'a plain MQTT listener without TLS')
    .option('--tls-san <name>', "the broker host's DNS name or IP address for its certificate; repeatable", collect, [])
    .action(async (broker: string, flags: BrokerConfigFlags) => {
      if (broker !== 'mosquitto') throw new UsageError(`broker-config: '${broker}' is not supported (only mosquitto)`);
      // commander hands --data-dir to `manager`, which has the same option, wherever it is typed.
      const { printBrokerConfig } = await import('./manager-run.js');
      const parent = manager.opts() as ManagerFlags;
      printBrokerConfig({
        ...flags,
        dataDir: flags.dataDir ?? parent.dataDir,
        insecureMqtt: flags.insecureMqtt ?? parent.insecureMqtt,
        tlsSan: [...parent.tlsSan, ...flags.tlsSan],
      });
    })
    .exitOverride()
    .configureOutput(program.configureOutput());

  manager
    .command('backup')
    .description('Write a consistent copy of the manager database to FILE (safe while the manager runs)')
    .argument('<file>', 'the backup file to create (must not exist)')
    .option('--data-dir <dir>', `manager data dir (default: ${defaultDataDir()})`)
    .action(async (file: string, flags: { dataDir?: string }) => {
      const { backupManager } = await import('./manager-run.js');
      backupManager(file, flags.dataDir ?? (manager.opts() as ManagerFlags).dataDir);
    })
    .exitOverride()
    .configureOutput(program.configureOutput());
}
