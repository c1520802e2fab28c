/**
 * A real cluster for e2e tests: the built `kelvin manager` (embedded broker, SQLite in a temp dir)
 * and `kelvin agent` processes on fixture boards, driven by the `kelvin` client commands.
 * Every task's shell should carry `cluster.marker(service)` as $0 (see `loop`), so its processes can
 * be counted and, after the run, found and ended.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeTaskCgroup } from '../../agent/runtime/process/cgroup-cpu-limiter.js';
import type { NodeView, TaskView } from '../../manager/api/views.js';
import { fixtureEnv } from '../agent/sensors/fixture-boards.js';
import { runKelvin, spawnKelvin, type CliResult } from './cli.js';
import { freePort } from './mosquitto.js';

export interface AgentOptions {
  /** Put the stand-in nvidia-smi on PATH. */
  nvidiaSmi?: boolean;
  logLevel?: string;
  /** More `kelvin agent` flags (e.g. --advertise-addr, `--facts-interval 1s`). */
  extraArgs?: string[];
  /** Run the agent (and so its process tasks) in this network namespace. */
  netns?: string;
}

/** Polls until `check` holds (hooks cannot use expect.poll). */
export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function pids(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

export class TestCluster {
  readonly dir = mkdtempSync(join(tmpdir(), 'kelvin-e2e-'));
  readonly dataDir = join(this.dir, 'manager');
  readonly agents = new Map<string, ChildProcess>();
  /** Everything each agent wrote (stdout and stderr), across its restarts. */
  readonly agentLogs = new Map<string, string>();
  manager: ChildProcess | null = null;
  /** For the client commands: KELVIN_HOST and the admin token. */
  env: NodeJS.ProcessEnv = {};
  joinToken = '';
  private readonly runId = `kelvin-e2e-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  private constructor(
    readonly mqttPort: number,
    readonly httpPort: number,
    private readonly managerArgs: string[],
    /** Where the broker listens and agents connect. */
    readonly mqttHost: string,
  ) {}

  /** TLS unless the manager was started with --insecure-mqtt; agents then pin the CA from the join token alone. */
  get mqttScheme(): 'mqtt' | 'mqtts' {
    return this.managerArgs.includes('--insecure-mqtt') ? 'mqtt' : 'mqtts';
  }

  /** The cluster CA the manager made on first start (what a pinned board trusts). */
  get caFile(): string {
    return join(this.dataDir, 'tls', 'ca.pem');
  }

  /**
   * Starts the manager (with `managerArgs` added to its flags) and waits for its API. Without
   * `--host-root` in them it runs with --no-agent; with it, its local agent reads that board.
   */
  static async start(managerArgs: string[] = [], options: { mqttHost?: string } = {}): Promise<TestCluster> {
    const cluster = new TestCluster(await freePort(), await freePort(), managerArgs, options.mqttHost ?? '127.0.0.1');
    await cluster.startManager();
    cluster.env = { ...process.env, KELVIN_HOST: `http://127.0.0.1:${cluster.httpPort}`, KELVIN_TOKEN: readFileSync(join(cluster.dataDir, 'admin.token'), 'utf8').trim() };
    cluster.joinToken = (await cluster.kelvin('join-token', '-q')).trim();
    return cluster;
  }

  /** (Re)starts the manager on the same data dir and ports, and waits for its API. */
  async startManager(): Promise<void> {
    this.manager = spawnKelvin(
      ['manager', '--data-dir', this.dataDir, '--mqtt-port', String(this.mqttPort), '--mqtt-host', this.mqttHost, '--http', `127.0.0.1:${this.httpPort}`, '--node-timeout', '2s', ...(this.managerArgs.includes('--host-root') ? [] : ['--no-agent']), ...this.managerArgs],
      { env: { ...process.env, KELVIN_LOG_LEVEL: 'warn' } },
    );
    await waitUntil(`the API on ${this.httpPort}`, () => fetch(`http://127.0.0.1:${this.httpPort}/`).then(() => true), 15_000);
  }

  /** Stops the manager with `signal` (SIGTERM: a clean stop; SIGKILL: a crash) and waits for it to exit. */
  async stopManager(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.manager;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  }

  /** Where the agent `name` keeps its identity and task records. */
  stateDir(name: string): string {
    return join(this.dir, name);
  }

  /** Starts `kelvin agent --name name` on the board under `hostRoot`; its state dir survives restarts. */
  startAgent(name: string, hostRoot: string, options: AgentOptions = {}): ChildProcess {
    const child = spawnKelvin([...this.agentArgs(name, hostRoot), ...(options.extraArgs ?? [])], { env: this.agentEnv(hostRoot, options) }, options.netns);
    this.agents.set(name, child);
    const append = (d: Buffer): void => void this.agentLogs.set(name, (this.agentLogs.get(name) ?? '') + d.toString());
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    return child;
  }

  /** `kelvin agent ... leave` for the agent `name`, with the flags it runs with. */
  leave(name: string, hostRoot: string): Promise<CliResult> {
    return runKelvin([...this.agentArgs(name, hostRoot), 'leave'], { env: this.agentEnv(hostRoot, {}), timeoutMs: 90_000 });
  }

  private agentArgs(name: string, hostRoot: string): string[] {
    return ['agent', '--broker', `${this.mqttScheme}://${this.mqttHost}:${this.mqttPort}`, '--token', this.joinToken, '--state-dir', this.stateDir(name), '--host-root', hostRoot, '--name', name, '--interval', '500ms', '--keepalive', '2s'];
  }

  private agentEnv(hostRoot: string, options: AgentOptions): NodeJS.ProcessEnv {
    return { ...fixtureEnv(hostRoot, { nvidiaSmi: options.nvidiaSmi ?? false }), KELVIN_LOG_LEVEL: options.logLevel ?? 'warn' };
  }

  /** `kill -9` of the agent; its tasks keep running, as they would on a real board. */
  async killAgent(name: string): Promise<void> {
    const child = this.agents.get(name);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  async kelvin(...args: string[]): Promise<string> {
    const r = await runKelvin(args, { env: this.env });
    if (r.code !== 0) throw new Error(`kelvin ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  }

  async nodes(): Promise<NodeView[]> {
    return JSON.parse(await this.kelvin('node', 'ls', '--json')) as NodeView[];
  }

  async tasks(service: string): Promise<TaskView[]> {
    return JSON.parse(await this.kelvin('service', 'ps', service, '--json')) as TaskView[];
  }

  async hostnames(): Promise<Map<string, string>> {
    return new Map((await this.nodes()).map((n) => [n.id, n.hostname]));
  }

  /** Hostnames running the service's tasks now (desired running, state running), sorted. */
  async runningOn(service: string): Promise<string[]> {
    const names = await this.hostnames();
    return (await this.tasks(service))
      .filter((t) => t.desiredState === 'running' && t.state === 'running')
      .map((t) => names.get(t.nodeId ?? '') ?? '?')
      .sort();
  }

  async waitForReadyNodes(count: number, timeoutMs = 20_000): Promise<void> {
    await waitUntil(`${count} ready nodes`, async () => (await this.nodes()).filter((n) => n.status === 'ready' && n.platform !== null).length === count, timeoutMs);
  }

  /** What a task of `service` should carry as its $0. */
  marker(service: string): string {
    return `${this.runId}-${service}`;
  }

  /**
   * A long-running task command: prints `tick` every second, with the service's marker as $0.
   * `ignoreHangup` makes it outlive a killed agent (its pty closes, which sends SIGHUP), as a
   * daemon or a container would: the stale copy a returning node must stop.
   */
  loop(service: string, options: { ignoreHangup?: boolean } = {}): string[] {
    const body = 'echo started; while true; do echo tick; sleep 1; done';
    return ['/bin/sh', '-c', options.ignoreHangup ? `trap '' HUP; ${body}` : body, this.marker(service)];
  }

  /** Task processes of `service` alive on this machine, whichever agent started them. */
  processesOf(service: string): number[] {
    const marker = this.marker(service);
    return pids().filter((pid) => cmdline(pid).split('\0').includes(marker));
  }

  /**
   * Removes the services, stops every process, kills leftover task processes and their CPU cgroups
   * (left behind by agents killed with -9), deletes the temp dir.
   */
  async stop(services: string[]): Promise<void> {
    const taskIds: string[] = [];
    for (const name of services) {
      taskIds.push(...(await this.tasks(name).catch(() => [])).map((t) => t.id));
      await runKelvin(['service', 'rm', name], { env: this.env });
    }
    if (services.length > 0) await new Promise((r) => setTimeout(r, 1500));
    const children = [...this.agents.values(), this.manager].filter((c): c is ChildProcess => c !== null);
    for (const child of children) child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1000));
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const pid of pids()) {
      if (!cmdline(pid).includes(this.runId)) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    await new Promise((r) => setTimeout(r, 200));
    for (const id of taskIds) await removeTaskCgroup('/sys/fs/cgroup', id).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
