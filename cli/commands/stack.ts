/**
 * `kelvin stack deploy|ls|services|ps|rm`. Deploy parses the Compose files here (several `-c` are
 * merged in order, as docker's; every error on its own line with its YAML path and line; nothing
 * deployed unless the whole stack is good) and hands the manager the complete set of services,
 * which it applies in one transaction: new ones created, changed ones updated, ones no longer in
 * the files removed with `--prune` and otherwise kept (as Swarm does).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Command } from 'commander';
import type { ServiceView, StackDeployResult, StackView, TaskView } from '../../manager/api/views.js';
import { SERVICE_NAME, type ServiceSpec } from '../../shared/service-spec.js';
import { KelvinClient } from '../client.js';
import { CliError, UsageError } from '../errors.js';
import { serviceTable, stackTable } from '../format/services.js';
import { serviceFilters } from '../filter/matchers.js';
import { addListFlags, checkListFlags, listOutput, type ListFlags } from '../format/list-output.js';
import { serviceRow, stackRow } from '../format/rows.js';
import { collect } from './args.js';
import { renameMaterialRefs, resolveStackMaterials } from './stack-materials.js';
import { addTaskListFlags, checkTaskListFlags, printTaskList } from './task-list.js';

const seg = encodeURIComponent;

/** One naming rule for stacks and services, Swarm's: `voting_stack` is a good stack name. */
function stackName(name: string): string {
  if (!SERVICE_NAME.test(name)) throw new UsageError(`stack name '${name}': letters, digits, _ . - (max 63), starting with a letter or digit, as for services`);
  return name;
}

/** The stack's services as the manager stores them: `<stack>_<service>`, tagged with the stack. */
export function namespaceServices(stack: string, services: ServiceSpec[]): ServiceSpec[] {
  return services.map((s) => {
    const name = `${stack}_${s.name}`;
    if (!SERVICE_NAME.test(name)) throw new UsageError(`service name '${name}' is too long (max 63 characters with the stack prefix)`);
    return { ...s, name, stack };
  });
}

function readStackFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
}

async function deploy(name: string, files: string[], prune: boolean): Promise<void> {
  const stack = stackName(name);
  if (files.length === 0) throw new UsageError('-c, --compose-file: required');
  // The YAML parser loads only for a deploy; every other command starts without it.
  const { parseStackFiles } = await import('../../shared/stack/merge-files.js');
  // Relative paths in the files (env_file, secrets, bind mounts) resolve from the first file's folder, as in docker.
  const project = { dir: dirname(resolve(files[0] ?? '.')), readFile: (path: string) => readFileSync(path, 'utf8') };
  const parsed = parseStackFiles(
    files.map((file) => ({ file, text: readStackFile(file) })),
    process.env,
    { files: project, stack },
  );
  if (!parsed.ok) {
    for (const e of parsed.errors) process.stderr.write(`${e}\n`);
    throw new CliError(`${files.join(', ')}: ${parsed.errors.length} error${parsed.errors.length === 1 ? '' : 's'}; nothing was deployed`);
  }
  for (const w of parsed.warnings) process.stderr.write(`warning: ${w}\n`);
  // Relative `file:` paths resolve from the first file's folder, the project directory as docker has it.
  const base = files[0] ?? '.';
  const secrets = resolveStackMaterials(stack, base, 'secret', parsed.secrets, process.env);
  const configs = resolveStackMaterials(stack, base, 'config', parsed.configs, process.env);
  const services = renameMaterialRefs(namespaceServices(stack, parsed.services), secrets.names, configs.names);
  const body = { services, secrets: secrets.bodies, configs: configs.bodies, prune };
  const result = await KelvinClient.fromEnv().put<StackDeployResult>(`/stacks/${seg(stack)}`, body);
  for (const s of result.created) process.stdout.write(`Creating service ${s}\n`);
  for (const s of result.updated) process.stdout.write(`Updating service ${s}\n`);
  for (const s of result.removed) process.stdout.write(`Removing service ${s}\n`);
  // An older manager answers without `kept`.
  for (const s of result.kept ?? []) process.stderr.write(`Keeping service ${s}: not in the compose file (deploy with --prune to remove it)\n`);
  // Last, so it is the line nobody misses: what the file asked for that Kelvin did not act on.
  const count = parsed.warnings.length;
  process.stderr.write(`${count} warning${count === 1 ? '' : 's'}${count > 0 ? ' (listed above)' : ''}\n`);
}

export function registerStack(program: Command): void {
  const stackCmd = program.command('stack').description('Deploy and manage stacks from Compose files');

  stackCmd
    .command('deploy')
    .description('Deploy a stack, or update it to match the file')
    .argument('<stack>')
    .option('-c, --compose-file <file>', 'Compose file (version 3); repeatable, later files merged over earlier ones', collect, [])
    .option('--prune', 'remove the services of the stack that the files no longer list')
    .action(async (name: string, flags: { composeFile: string[]; prune?: boolean }) => deploy(name, flags.composeFile, flags.prune === true));

  addListFlags(stackCmd.command('ls').description('List stacks')).action(async (flags: ListFlags) => {
    checkListFlags(flags);
    const stacks = await KelvinClient.fromEnv().get<StackView[]>('/stacks');
    listOutput(flags, { items: stacks, id: (s) => s.name, row: stackRow, human: stackTable });
  });

  addListFlags(stackCmd.command('services').description("List a stack's services").argument('<stack>'), Object.keys(serviceFilters)).action(
    async (name: string, flags: ListFlags) => {
      checkListFlags(flags, serviceFilters);
      const services = await KelvinClient.fromEnv().get<ServiceView[]>(`/stacks/${seg(name)}/services`);
      listOutput(flags, { items: services, id: (s) => s.id, row: serviceRow, human: serviceTable, filters: serviceFilters });
    },
  );

  addTaskListFlags(stackCmd.command('ps').description("List a stack's tasks").argument('<stack>')).action(async (name: string, flags: ListFlags) => {
    checkTaskListFlags(flags);
    const client = KelvinClient.fromEnv();
    await printTaskList(client, await client.get<TaskView[]>(`/stacks/${seg(name)}/tasks`), flags);
  });

  stackCmd
    .command('rm')
    .description('Remove stacks and all their services')
    .argument('<stack...>')
    .action(async (names: string[]) => {
      const client = KelvinClient.fromEnv();
      for (const name of names) {
        const result = await client.delete<StackDeployResult>(`/stacks/${seg(name)}`);
        for (const s of result.removed) process.stdout.write(`Removing service ${s}\n`);
      }
    });

  for (const sub of stackCmd.commands) sub.exitOverride().configureOutput(program.configureOutput());
}
