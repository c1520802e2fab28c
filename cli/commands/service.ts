/** `kelvin service create|ls|ps|inspect|scale|update|rollback|rm|logs`, as `docker service` has them. */
import { Command } from 'commander';
import type { ServiceView, TaskView } from '../../manager/api/views.js';
import type { LogsStreamItem } from '../../manager/api/logs-stream.js';
import { KelvinClient } from '../client.js';
import { UsageError } from '../errors.js';
import { printLogItem } from '../format/logs.js';
import { serviceFilters } from '../filter/matchers.js';
import { addListFlags, checkListFlags, listOutput, type ListFlags } from '../format/list-output.js';
import { serviceRow } from '../format/rows.js';
import { serviceDetails } from '../format/service-details.js';
import { serviceTable } from '../format/services.js';
import { printJson } from '../output.js';
import { collect, nonNegativeInt, tailCount } from './args.js';
import { createWithName } from './service-create.js';
import { buildServiceSpec, specOptions, type CreateFlags } from './service-flags.js';
import { applyUpdateFlags, type UpdateFlags } from './service-update-flags.js';
import { addTaskListFlags, checkTaskListFlags, printTaskList } from './task-list.js';
import { addContainerOptions, addContainerUpdateOptions } from './container-flags.js';
import { followRollout } from './update-progress.js';

const seg = encodeURIComponent;

/** Streams log lines (following until interrupted when `follow`). */
export async function printLogs(path: string, flags: { follow?: boolean; tail?: string }): Promise<void> {
  await KelvinClient.fromEnv().stream<LogsStreamItem>(path, { follow: flags.follow === true, tail: tailCount(flags.tail) ?? undefined }, printLogItem);
}

function parseScale(item: string): [string, number] {
  const m = /^([^=]+)=(.*)$/.exec(item);
  if (!m?.[1]) throw new UsageError(`scale: '${item}' is not SERVICE=REPLICAS`);
  return [m[1], nonNegativeInt(`scale ${m[1]}`, m[2] ?? '')];
}

export function registerService(program: Command): void {
  const service = program
    .command('service')
    .description('Manage services: create, ls, ps, inspect, scale, update, rollback, rm, logs')
    .enablePositionalOptions();

  const create = service
    .command('create')
    .description('Create a service: IMAGE [ARGS...] for docker, or -- CMD [ARGS...] for a process')
    .argument('[args...]', 'IMAGE [ARGS...] (docker) or -- CMD [ARGS...] (process)')
    .passThroughOptions();
  specOptions(create)
    .option('--name <name>', 'service name (default: a generated one, as docker_names makes)')
    .option('--mode <mode>', 'replicated or global (one task per eligible node)')
    .option('--constraint <expr>', 'placement constraint, e.g. node.labels.gpu==true; repeatable', collect, [])
    .option('--placement-pref <pref>', 'spread=<node attribute>; repeatable', collect, [])
    .option('--driver <driver>', 'docker or process (default: docker for IMAGE, process for -- CMD)')
    .option('--env <k=v>', 'environment variable; repeatable', collect, [])
    .option('--label <k=v>', 'service label; repeatable', collect, [])
    .option('--pinned', 'never move the task off its node for heat')
    .option('--secret <secret>', 'NAME or source=NAME[,target=FILE][,uid=N][,gid=N][,mode=0400]; repeatable', collect, [])
    .option('--config <config>', 'NAME or source=NAME[,target=PATH][,uid=N][,gid=N][,mode=0444]; repeatable', collect, [])
    .option('-p, --publish <port>', 'publish a port: PUBLISHED:TARGET[/udp], TARGET (port picked from 30000-32767), or published=,target=[,protocol=][,mode=ingress|host]; repeatable', collect, []);
  addContainerOptions(create).action(async (args: string[], flags: CreateFlags) => {
    const spec = buildServiceSpec(flags, args, process.argv.includes('--'));
    const created = await createWithName(KelvinClient.fromEnv(), spec, flags.name === undefined);
    process.stdout.write(`${created.id}\n`);
  });

  addListFlags(service.command('ls').description('List services'), Object.keys(serviceFilters)).action(async (flags: ListFlags) => {
    checkListFlags(flags, serviceFilters);
    const services = await KelvinClient.fromEnv().get<ServiceView[]>('/services');
    listOutput(flags, { items: services, id: (s) => s.id, row: serviceRow, human: serviceTable, filters: serviceFilters });
  });

  addTaskListFlags(
    service
      .command('ps')
      .description("List services' tasks, in every state (pending ones with their reason)")
      .argument('<service...>'),
  ).action(async (names: string[], flags: ListFlags) => {
    checkTaskListFlags(flags);
    const client = KelvinClient.fromEnv();
    const tasks = await Promise.all(names.map((name) => client.get<TaskView[]>(`/services/${seg(name)}/tasks`)));
    await printTaskList(client, tasks.flat(), flags);
  });

  service
    .command('inspect')
    .description('Show services in detail (JSON unless --pretty)')
    .argument('<service...>')
    .option('--pretty', 'human-readable summary')
    .action(async (names: string[], flags: { pretty?: boolean }) => {
      const client = KelvinClient.fromEnv();
      const services = await Promise.all(names.map((n) => client.get<ServiceView>(`/services/${seg(n)}`)));
      if (flags.pretty) process.stdout.write(services.map(serviceDetails).join('\n'));
      else printJson(services);
    });

  service
    .command('scale')
    .description('Set the replica count of one or more services')
    .argument('<service=replicas...>')
    .action(async (items: string[]) => {
      const client = KelvinClient.fromEnv();
      const wanted = items.map(parseScale);
      for (const [name, replicas] of wanted) {
        await client.post(`/services/${seg(name)}/scale`, { replicas });
        process.stdout.write(`${name} scaled to ${replicas}\n`);
      }
    });

  const update = service
    .command('update')
    .description('Update a service: each flag changes only what it names; the tasks are replaced as update_config says')
    .argument('<service>');
  specOptions(update)
    .option('--image <image>', 'new image (docker services)')
    .option('--args <command>', "the image's arguments (docker) or the whole command line (process), split like a shell")
    .option('--env-add <k=v>', 'add or change an environment variable; repeatable', collect, [])
    .option('--env-rm <k>', 'remove an environment variable; repeatable', collect, [])
    .option('--label-add <k=v>', 'add or change a service label; repeatable', collect, [])
    .option('--label-rm <k>', 'remove a service label; repeatable', collect, [])
    .option('--constraint-add <expr>', 'add a placement constraint; repeatable', collect, [])
    .option('--constraint-rm <expr>', 'remove a placement constraint; repeatable', collect, [])
    .option('--placement-pref-add <pref>', 'add a spread=<node attribute> preference; repeatable', collect, [])
    .option('--placement-pref-rm <pref>', 'remove a placement preference; repeatable', collect, [])
    .option('--publish-add <port>', 'publish a port (as --publish); repeatable', collect, [])
    .option('--publish-rm <port>', 'stop publishing a port, by target (80, 8080:80, target=80,protocol=udp); repeatable', collect, [])
    .option('--secret-add <secret>', 'give the tasks a secret (as --secret); repeatable', collect, [])
    .option('--secret-rm <name>', 'take a secret away; repeatable', collect, [])
    .option('--config-add <config>', 'give the tasks a config (as --config); repeatable', collect, [])
    .option('--config-rm <name>', 'take a config away; repeatable', collect, [])
    .option('--force', 'replace every task even if nothing changed')
    .option('-d, --detach', 'return at once instead of following the update');
  addContainerUpdateOptions(update).action(async (name: string, flags: UpdateFlags) => {
      const client = KelvinClient.fromEnv();
      const current = await client.get<ServiceView>(`/services/${seg(name)}`);
      const spec = applyUpdateFlags(current.spec, flags);
      const updated = await client.post<ServiceView>(`/services/${seg(current.id)}/update`, { spec, force: flags.force === true, version: current.version });
      process.stdout.write(`${updated.name}\n`);
      if (!flags.detach) await followRollout(client, updated, 'update');
    });

  service
    .command('rollback')
    .description('Return a service to its spec before the last update, rolled out with its rollback_config')
    .argument('<service>')
    .option('-d, --detach', 'return at once instead of following the rollback')
    .action(async (name: string, flags: { detach?: boolean }) => {
      const client = KelvinClient.fromEnv();
      const updated = await client.post<ServiceView>(`/services/${seg(name)}/rollback`, {});
      process.stdout.write(`${updated.name}\n`);
      if (!flags.detach) await followRollout(client, updated, 'rollback');
    });

  service
    .command('rm')
    .description('Remove services (their tasks are stopped)')
    .argument('<service...>')
    .action(async (names: string[]) => {
      const client = KelvinClient.fromEnv();
      for (const name of names) {
        await client.delete(`/services/${seg(name)}`);
        process.stdout.write(`${name}\n`);
      }
    });

  service
    .command('logs')
    .description("Print a service's task logs")
    .argument('<service>')
    .option('-f, --follow', 'keep printing new lines')
    .option('--tail <n>', 'only the last N lines of each task (default: all)')
    .action(async (name: string, flags: { follow?: boolean; tail?: string }) => {
      await printLogs(`/services/${seg(name)}/logs`, flags);
    });

  for (const sub of service.commands) sub.exitOverride().configureOutput(program.configureOutput());
}
