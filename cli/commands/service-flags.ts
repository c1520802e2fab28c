/**
 * `kelvin service create` flags to a ServiceSpec, and the flags `service update` shares with it. Constraints are parsed here too, so a bad one is
 * refused before anything reaches the manager, naming the expression and position (exit 2).
 */
import { ConstraintError, parseConstraints } from '../../shared/constraints/index.js';
import type { Command } from 'commander';
import { defaultServiceSpec, serviceSpec, type ServiceSpec, type UpdateConfig } from '../../shared/service-spec.js';
import { driverMismatch } from '../../shared/driver-args.js';
import { parseBytes } from '../../shared/units.js';
import { UsageError } from '../errors.js';
import { generateServiceName } from '../names/generate.js';
import { durationMs as duration, keyValues, nonNegativeInt, oneOf, positiveNumber } from './args.js';
import { publishFlag } from './publish-flags.js';
import { firstIssue } from '../../shared/zod-issue.js';
import { addHealthOptions, applyHealthFlags, type HealthFlags } from './health-flags.js';
import { parseMaterialFlags } from './material-flags.js';
import { applyContainerFlags, type ContainerFlags } from './container-flags.js';

/** Flags `service create` and `service update` share: each sets the one field it names. */
export interface SpecFlags extends HealthFlags {
  replicas?: string;
  maxReplicasPerNode?: string;
  reserveCpu?: string;
  reserveMemory?: string;
  gpus?: string;
  limitCpu?: string;
  limitMemory?: string;
  workdir?: string;
  restartCondition?: string;
  restartDelay?: string;
  restartMaxAttempts?: string;
  restartWindow?: string;
  stopGracePeriod?: string;
  updateParallelism?: string;
  updateDelay?: string;
  updateFailureAction?: string;
  updateMonitor?: string;
  updateMaxFailureRatio?: string;
  updateOrder?: string;
  rollbackParallelism?: string;
  rollbackDelay?: string;
  rollbackFailureAction?: string;
  rollbackMonitor?: string;
  rollbackMaxFailureRatio?: string;
  rollbackOrder?: string;
}

/** Commander's option bag for `service create`. */
export interface CreateFlags extends SpecFlags, ContainerFlags {
  name?: string;
  mode?: string;
  constraint: string[];
  placementPref: string[];
  driver?: string;
  env: string[];
  label: string[];
  pinned?: boolean;
  secret?: string[];
  config?: string[];
  publish?: string[];
}

/** Declares the flags of SpecFlags on `service create` or `service update`, with Swarm's names. */
export function specOptions(cmd: Command): Command {
  cmd
    .option('--replicas <n>', 'number of tasks (replicated mode)')
    .option('--max-replicas-per-node <n>', 'at most this many tasks on one node (0: no limit)')
    .option('--reserve-cpu <cpus>', 'CPUs a node must have free')
    .option('--reserve-memory <size>', 'memory a node must have free, e.g. 256M')
    .option('--gpus <n>', 'GPUs to reserve (and hand to the container)')
    .option('--limit-cpu <cpus>', 'hard CPU limit')
    .option('--limit-memory <size>', 'hard memory limit, e.g. 512M')
    .option('--workdir <dir>', 'working directory of the task')
    .option('--restart-condition <cond>', 'none, on-failure or any (default any)')
    .option('--restart-delay <duration>', 'wait between restarts (default 5s)')
    .option('--restart-max-attempts <n>', 'give up after this many restarts (0: never)')
    .option('--restart-window <duration>', 'window in which restarts are counted')
    .option('--stop-grace-period <duration>', 'time between SIGTERM and SIGKILL (default 10s)');
  for (const kind of ['update', 'rollback'] as const) {
    cmd
      .option(`--${kind}-parallelism <n>`, `tasks ${kind}d at once (0: all; default 1)`)
      .option(`--${kind}-delay <duration>`, `wait between ${kind} batches (default 0s)`)
      .option(`--${kind}-failure-action <action>`, `on failure: ${kind === 'update' ? 'pause, continue or rollback' : 'pause or continue'} (default pause)`)
      .option(`--${kind}-monitor <duration>`, 'a task that fails this long after starting counts as failed (default 5s)')
      .option(`--${kind}-max-failure-ratio <ratio>`, 'share of failed tasks tolerated, 0 to 1 (default 0)')
      .option(`--${kind}-order <order>`, 'stop-first or start-first (default stop-first)');
  }
  return addHealthOptions(cmd);
}

export function bytes(flag: string, text: string): number {
  const n = parseBytes(text);
  if (n === null || n <= 0) throw new UsageError(`${flag}: '${text}' is not a size (e.g. 512M, 2GiB)`);
  return n;
}

function ratio(flag: string, text: string): number {
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || n > 1) throw new UsageError(`${flag}: '${text}' is not a number from 0 to 1`);
  return n;
}

export function validateConstraints(flag: string, exprs: string[]): void {
  try {
    parseConstraints(exprs);
  } catch (err) {
    if (err instanceof ConstraintError) throw new UsageError(`${flag}: ${err.message}`);
    throw err;
  }
}

export function placementPrefs(flag: string, items: string[]): Array<{ spread: string }> {
  return items.map((p) => {
    const m = /^spread=(\S+)$/.exec(p);
    if (!m?.[1]) throw new UsageError(`${flag}: '${p}' is not spread=<node attribute> (e.g. spread=node.labels.zone)`);
    return { spread: m[1] };
  });
}

/** Applies the SpecFlags given to `spec` (in place); flags not given leave their field as it is. */
export function applySpecFlags(spec: ServiceSpec, flags: SpecFlags): void {
  if (flags.replicas !== undefined) {
    if (spec.mode === 'global') throw new UsageError('--replicas: cannot be used with --mode global');
    spec.replicas = nonNegativeInt('--replicas', flags.replicas);
  }
  if (flags.maxReplicasPerNode !== undefined) spec.placement.maxReplicasPerNode = nonNegativeInt('--max-replicas-per-node', flags.maxReplicasPerNode);
  const { limits, reservations } = spec.resources;
  if (flags.limitCpu !== undefined) limits.cpus = positiveNumber('--limit-cpu', flags.limitCpu);
  if (flags.limitMemory !== undefined) limits.memoryBytes = bytes('--limit-memory', flags.limitMemory);
  if (flags.reserveCpu !== undefined) reservations.cpus = positiveNumber('--reserve-cpu', flags.reserveCpu);
  if (flags.reserveMemory !== undefined) reservations.memoryBytes = bytes('--reserve-memory', flags.reserveMemory);
  if (flags.gpus !== undefined) reservations.gpus = nonNegativeInt('--gpus', flags.gpus);
  if (flags.workdir !== undefined) spec.workdir = flags.workdir;
  const rp = spec.restartPolicy;
  if (flags.restartCondition) rp.condition = oneOf('--restart-condition', flags.restartCondition, ['none', 'on-failure', 'any'] as const);
  if (flags.restartDelay !== undefined) rp.delayMs = duration('--restart-delay', flags.restartDelay);
  if (flags.restartMaxAttempts !== undefined) rp.maxAttempts = nonNegativeInt('--restart-max-attempts', flags.restartMaxAttempts);
  if (flags.restartWindow !== undefined) rp.windowMs = duration('--restart-window', flags.restartWindow);
  if (flags.stopGracePeriod !== undefined) spec.stopGracePeriodMs = duration('--stop-grace-period', flags.stopGracePeriod);
  applyUpdateConfigFlags(spec.updateConfig, 'update', {
    parallelism: flags.updateParallelism,
    delay: flags.updateDelay,
    failureAction: flags.updateFailureAction,
    monitor: flags.updateMonitor,
    maxFailureRatio: flags.updateMaxFailureRatio,
    order: flags.updateOrder,
  });
  applyUpdateConfigFlags(spec.rollbackConfig, 'rollback', {
    parallelism: flags.rollbackParallelism,
    delay: flags.rollbackDelay,
    failureAction: flags.rollbackFailureAction,
    monitor: flags.rollbackMonitor,
    maxFailureRatio: flags.rollbackMaxFailureRatio,
    order: flags.rollbackOrder,
  });
  spec.healthcheck = applyHealthFlags(flags, spec.healthcheck);
}

type UpdateConfigText = Partial<Record<'parallelism' | 'delay' | 'failureAction' | 'monitor' | 'maxFailureRatio' | 'order', string>>;

/** `--update-*` and `--rollback-*`; a rollback cannot itself roll back (Swarm refuses it too). */
function applyUpdateConfigFlags(config: UpdateConfig, kind: 'update' | 'rollback', f: UpdateConfigText): void {
  const flag = (name: string): string => `--${kind}-${name}`;
  if (f.parallelism !== undefined) config.parallelism = nonNegativeInt(flag('parallelism'), f.parallelism);
  if (f.delay !== undefined) config.delayMs = duration(flag('delay'), f.delay);
  if (f.monitor !== undefined) config.monitorMs = duration(flag('monitor'), f.monitor);
  if (f.maxFailureRatio !== undefined) config.maxFailureRatio = ratio(flag('max-failure-ratio'), f.maxFailureRatio);
  if (f.order !== undefined) config.order = oneOf(flag('order'), f.order, ['stop-first', 'start-first'] as const);
  if (f.failureAction !== undefined) {
    const actions = kind === 'update' ? (['pause', 'continue', 'rollback'] as const) : (['pause', 'continue'] as const);
    config.failureAction = oneOf(flag('failure-action'), f.failureAction, actions);
  }
}

/**
 * `driver` given explicitly wins; otherwise `-- CMD ARGS` (the process form) means the process
 * driver and `IMAGE ARGS` the docker driver.
 */
export function buildServiceSpec(flags: CreateFlags, args: string[], usedDoubleDash: boolean): ServiceSpec {
  const spec = defaultServiceSpec(flags.name ?? generateServiceName());
  spec.driver = flags.driver ? oneOf('--driver', flags.driver, ['docker', 'process'] as const) : usedDoubleDash ? 'process' : 'docker';
  if (args.length === 0) throw new UsageError(spec.driver === 'docker' ? 'an IMAGE is required (or -- CMD [ARGS...] for a process)' : 'a command is required after --');
  const mismatch = driverMismatch(spec.driver, args[0] ?? '');
  if (mismatch !== null) throw new UsageError(mismatch);
  if (spec.driver === 'docker') {
    spec.image = args[0] ?? null;
    spec.command = args.length > 1 ? args.slice(1) : null;
  } else {
    spec.command = args;
  }
  if (flags.mode) spec.mode = oneOf('--mode', flags.mode, ['replicated', 'global'] as const);
  validateConstraints('--constraint', flags.constraint);
  spec.placement.constraints = flags.constraint;
  spec.placement.preferences = placementPrefs('--placement-pref', flags.placementPref);
  spec.env = keyValues('--env', flags.env);
  spec.labels = keyValues('--label', flags.label, false);
  applySpecFlags(spec, flags);
  if (flags.pinned) spec.thermal.movable = false;
  spec.secrets = parseMaterialFlags('secret', flags.secret ?? []);
  spec.configs = parseMaterialFlags('config', flags.config ?? []);
  applyContainerFlags(spec, flags);
  spec.ports = publishFlag('--publish', flags.publish ?? []);
  return checkedSpec(spec, FLAG_OF);
}

/** The spec through the zod schema; a limit it breaks is named by the flag the user typed. */
export function checkedSpec(spec: ServiceSpec, flagOf: Record<string, string>): ServiceSpec {
  const checked = serviceSpec.safeParse(spec);
  if (!checked.success) {
    const { path, where, message } = firstIssue(checked.error, 'spec');
    const flag = path[0] === 'placement' ? flagOf[String(path[1])] : flagOf[String(path[0])];
    throw new UsageError(`${flag === undefined ? where : [flag, ...path.slice(path[0] === 'placement' ? 2 : 1)].join(' ')}: ${message}`);
  }
  return checked.data;
}

/** The flag (or argument) each spec field comes from, so a limit names what the user typed. */
export const FLAG_OF: Record<string, string> = {
  name: '--name',
  replicas: '--replicas',
  env: '--env',
  labels: '--label',
  workdir: '--workdir',
  image: 'IMAGE',
  command: 'command',
  entrypoint: 'command',
  constraints: '--constraint',
  preferences: '--placement-pref',
  healthcheck: '--health-cmd',
  ports: '--publish',
};
