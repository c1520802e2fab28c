/**
 * `kelvin stack deploy|ls|services|ps|rm`. Deploy parses the Compose file here (every error on its
 * own line with its YAML path and line; nothing deployed unless the whole file is good) and hands
 * the manager the complete set of services, which it applies in one transaction: new ones created,
 * changed ones updated, ones no longer in the file removed.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Command } from 'commander';
import type { ServiceView, StackDeployResult, StackView, TaskView } from '../../manager/api/views.js';
import { SERVICE_NAME, type ServiceSpec } from '../../shared/service-spec.js';
import { KelvinClient } from '../client.js';
import { CliError, UsageError } from '../errors.js';
import { serviceTable, stackTable } from '../format/services.js';
import { printJson } from '../output.js';
import { printTasks } from './service.js';
import { renameMaterialRefs, resolveStackMaterials } from './stack-materials.js';

const STACK_NAME = /^[a-zA-Z0-9][a-zA-Z0-9.-]{0,31}$/;
const seg = encodeURIComponent;

function stackName(name: string): string {
  if (!STACK_NAME.test(name)) throw new UsageError(`stack name '${name}': letters, digits, '.' and '-' (max 32), starting with a letter or digit`);
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

async function deploy(name: string, file: string): Promise<void> {
  const stack = stackName(name);
  // The YAML parser loads only for a deploy; every other command starts without it.
  const { parseStackFile } = await import('../../shared/stack/index.js');
  const files = { dir: dirname(resolve(file)), readFile: (path: string) => readFileSync(path, 'utf8') };
  const parsed = parseStackFile(readStackFile(file), { file, env: process.env, files, stack });
  if (!parsed.ok) {
    for (const e of parsed.errors) process.stderr.write(`${e}\n`);
    throw new CliError(`${file}: ${parsed.errors.length} error${parsed.errors.length === 1 ? '' : 's'}; nothing was deployed`);
  }
  for (const w of parsed.warnings) process.stderr.write(`warning: ${w}\n`);
  const secrets = resolveStackMaterials(stack, file, 'secret', parsed.secrets, process.env);
  const configs = resolveStackMaterials(stack, file, 'config', parsed.configs, process.env);
  const services = renameMaterialRefs(namespaceServices(stack, parsed.services), secrets.names, configs.names);
  const result = await KelvinClient.fromEnv().put<StackDeployResult>(`/stacks/${seg(stack)}`, { services, secrets: secrets.bodies, configs: configs.bodies });
  for (const s of result.created) process.stdout.write(`Creating service ${s}\n`);
  for (const s of result.updated) process.stdout.write(`Updating service ${s}\n`);
  for (const s of result.removed) process.stdout.write(`Removing service ${s}\n`);
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
    .requiredOption('-c, --compose-file <file>', 'Compose file (version 3)')
    .action(async (name: string, flags: { composeFile: string }) => deploy(name, flags.composeFile));

  stackCmd
    .command('ls')
    .description('List stacks')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      const stacks = await KelvinClient.fromEnv().get<StackView[]>('/stacks');
      if (flags.json) printJson(stacks);
      else process.stdout.write(stackTable(stacks));
    });

  stackCmd
    .command('services')
    .description("List a stack's services")
    .argument('<stack>')
    .option('--json', 'print JSON')
    .action(async (name: string, flags: { json?: boolean }) => {
      const services = await KelvinClient.fromEnv().get<ServiceView[]>(`/stacks/${seg(name)}/services`);
      if (flags.json) printJson(services);
      else process.stdout.write(serviceTable(services));
    });

  stackCmd
    .command('ps')
    .description("List a stack's tasks")
    .argument('<stack>')
    .option('--json', 'print JSON')
    .action(async (name: string, flags: { json?: boolean }) => {
      const client = KelvinClient.fromEnv();
      await printTasks(client, await client.get<TaskView[]>(`/stacks/${seg(name)}/tasks`), flags.json === true);
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
