/**
 * `kelvin service create` flags to a ServiceSpec. Constraints are parsed here too, so a bad one is
 * refused before anything reaches the manager, naming the expression and position (exit 2).
 */
import { ConstraintError, parseConstraints } from '../../shared/constraints/index.js';
import { defaultServiceSpec, serviceSpec, type ServiceSpec } from '../../shared/service-spec.js';
import { driverMismatch } from '../../shared/driver-args.js';
import { parseBytes } from '../../shared/units.js';
import { UsageError } from '../errors.js';
import { generateServiceName } from '../names/generate.js';
import { durationMs as duration, keyValues, nonNegativeInt, oneOf, positiveNumber } from './args.js';
import { publishFlag } from './publish-flags.js';
import { firstIssue } from '../../shared/zod-issue.js';
import { applyHealthFlags, type HealthFlags } from './health-flags.js';
import { parseMaterialFlags } from './material-flags.js';
import { applyContainerFlags, type ContainerFlags } from './container-flags.js';

/** Commander's option bag for `service create`. */
export interface CreateFlags extends HealthFlags, ContainerFlags {
  name?: string;
  replicas?: string;
  mode?: string;
  constraint: string[];
  placementPref: string[];
  maxReplicasPerNode?: string;
  reserveCpu?: string;
  reserveMemory?: string;
  gpus?: string;
  limitCpu?: string;
  limitMemory?: string;
  driver?: string;
  env: string[];
  label: string[];
  workdir?: string;
  restartCondition?: string;
  restartDelay?: string;
  restartMaxAttempts?: string;
  restartWindow?: string;
  stopGracePeriod?: string;
  pinned?: boolean;
  secret?: string[];
  config?: string[];
  publish?: string[];
}

function bytes(flag: string, text: string): number {
  const n = parseBytes(text);
  if (n === null || n <= 0) throw new UsageError(`${flag}: '${text}' is not a size (e.g. 512M, 2GiB)`);
  return n;
}

function validateConstraints(exprs: string[]): void {
  try {
    parseConstraints(exprs);
  } catch (err) {
    if (err instanceof ConstraintError) throw new UsageError(`--constraint: ${err.message}`);
    throw err;
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
  if (flags.replicas !== undefined) {
    if (spec.mode === 'global') throw new UsageError("--replicas: cannot be used with --mode global");
    spec.replicas = nonNegativeInt('--replicas', flags.replicas);
  }
  validateConstraints(flags.constraint);
  spec.placement.constraints = flags.constraint;
  spec.placement.preferences = flags.placementPref.map((p) => {
    const m = /^spread=(\S+)$/.exec(p);
    if (!m?.[1]) throw new UsageError(`--placement-pref: '${p}' is not spread=<node attribute> (e.g. spread=node.labels.zone)`);
    return { spread: m[1] };
  });
  if (flags.maxReplicasPerNode !== undefined) spec.placement.maxReplicasPerNode = nonNegativeInt('--max-replicas-per-node', flags.maxReplicasPerNode);
  const { limits, reservations } = spec.resources;
  if (flags.limitCpu !== undefined) limits.cpus = positiveNumber('--limit-cpu', flags.limitCpu);
  if (flags.limitMemory !== undefined) limits.memoryBytes = bytes('--limit-memory', flags.limitMemory);
  if (flags.reserveCpu !== undefined) reservations.cpus = positiveNumber('--reserve-cpu', flags.reserveCpu);
  if (flags.reserveMemory !== undefined) reservations.memoryBytes = bytes('--reserve-memory', flags.reserveMemory);
  if (flags.gpus !== undefined) reservations.gpus = nonNegativeInt('--gpus', flags.gpus);
  spec.env = keyValues('--env', flags.env);
  spec.labels = keyValues('--label', flags.label, false);
  if (flags.workdir !== undefined) spec.workdir = flags.workdir;
  const rp = spec.restartPolicy;
  if (flags.restartCondition) rp.condition = oneOf('--restart-condition', flags.restartCondition, ['none', 'on-failure', 'any'] as const);
  if (flags.restartDelay !== undefined) rp.delayMs = duration('--restart-delay', flags.restartDelay);
  if (flags.restartMaxAttempts !== undefined) rp.maxAttempts = nonNegativeInt('--restart-max-attempts', flags.restartMaxAttempts);
  if (flags.restartWindow !== undefined) rp.windowMs = duration('--restart-window', flags.restartWindow);
  if (flags.stopGracePeriod !== undefined) spec.stopGracePeriodMs = duration('--stop-grace-period', flags.stopGracePeriod);
  if (flags.pinned) spec.thermal.movable = false;
  spec.healthcheck = applyHealthFlags(flags, spec.healthcheck);
  spec.secrets = parseMaterialFlags('secret', flags.secret ?? []);
  spec.configs = parseMaterialFlags('config', flags.config ?? []);
  applyContainerFlags(spec, flags);
  spec.ports = publishFlag('--publish', flags.publish ?? []);
  const checked = serviceSpec.safeParse(spec);
  if (!checked.success) {
    const { path, where, message } = firstIssue(checked.error, 'spec');
    const flag = path[0] === 'placement' ? FLAG_OF[String(path[1])] : FLAG_OF[String(path[0])];
    throw new UsageError(`${flag === undefined ? where : [flag, ...path.slice(path[0] === 'placement' ? 2 : 1)].join(' ')}: ${message}`);
  }
  return checked.data;
}

/** The flag (or argument) each spec field comes from, so a limit names what the user typed. */
const FLAG_OF: Record<string, string> = {
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
