/** `kelvin node ls|ps|inspect|update|rm`. NODE is an id, a unique id prefix or a hostname. */
import { Command } from 'commander';
import type { NodeView, TaskView } from '../../manager/api/views.js';
import { ApiRequestError, KelvinClient } from '../client.js';
import { UsageError } from '../errors.js';
import { nodeFilters } from '../filter/matchers.js';
import { addListFlags, checkListFlags, listOutput, type ListFlags } from '../format/list-output.js';
import type { HistoryView } from '../../manager/history/telemetry-history.js';
import { historyLines } from '../format/history.js';
import { nodeDetails, nodeTable } from '../format/nodes.js';
import { nodeRow } from '../format/rows.js';
import { printJson } from '../output.js';
import { collect, keyValues, oneOf } from './args.js';
import { localNodeId } from './local-node.js';
import { addTaskListFlags, checkTaskListFlags, printTaskList } from './task-list.js';

const seg = encodeURIComponent;

interface UpdateFlags {
  labelAdd: string[];
  labelRm: string[];
  availability?: string;
  thermalWarn?: string;
  thermalThrottle?: string;
  thermalCritical?: string;
  thermalAmbientWarn?: string;
  thermalAmbientThrottle?: string;
  thermalAmbientCritical?: string;
}

/** `--thermal-* C`: degrees Celsius, or `default` to go back to the board profile's limit. */
function limitC(flag: string, text: string | undefined): number | null | undefined {
  if (text === undefined) return undefined;
  if (text === 'default') return null;
  if (!/^-?\d+(\.\d+)?$/.test(text.trim())) throw new UsageError(`${flag}: '${text}' is not a temperature in C (or 'default')`);
  return Number(text);
}

export function registerNode(program: Command): void {
  const node = program.command('node').description('Manage nodes: ls, inspect, update, accept, rm');

  addListFlags(node.command('ls').description('List nodes'), Object.keys(nodeFilters)).action(async (flags: ListFlags) => {
    checkListFlags(flags, nodeFilters);
    const nodes = await KelvinClient.fromEnv().get<NodeView[]>('/nodes');
    listOutput(flags, { items: nodes, id: (n) => n.id, row: nodeRow, human: nodeTable, filters: nodeFilters });
  });

  addTaskListFlags(
    node
      .command('ps')
      .description("List the tasks on nodes (default: this host's node)")
      .argument('[node...]'),
  ).action(async (refs: string[], flags: ListFlags) => {
    checkTaskListFlags(flags);
    const client = KelvinClient.fromEnv();
    const ids = refs.length > 0 ? refs : [localNodeId()];
    const nodes = await Promise.all(ids.map((id) => client.get<NodeView>(`/nodes/${seg(id)}`)));
    const tasks = await Promise.all(nodes.map((n) => client.get<TaskView[]>('/tasks', { node: n.id })));
    await printTaskList(client, tasks.flat(), flags);
  });

  node
    .command('inspect')
    .description('Show nodes in detail (JSON unless --pretty)')
    .argument('<node...>')
    .option('--pretty', 'human-readable summary')
    .action(async (ids: string[], flags: { pretty?: boolean }) => {
      const client = KelvinClient.fromEnv();
      const nodes = await Promise.all(ids.map((id) => client.get<NodeView>(`/nodes/${seg(id)}`)));
      if (flags.pretty) process.stdout.write(nodes.map(nodeDetails).join('\n'));
      else printJson(nodes);
    });

  node
    .command('history')
    .description("A node's telemetry over time: CPU temperature, volts, load (and GPU) as sparklines")
    .argument('<node>')
    .option('--since <duration>', 'how far back: up to 1h at 1s resolution, up to 24h at 1m', '1h')
    .option('--resolution <step>', '1s or 1m (default: 1s when --since fits the hour)')
    .option('--json', 'print JSON')
    .action(async (id: string, flags: { since: string; resolution?: string; json?: boolean }) => {
      const client = KelvinClient.fromEnv();
      const [view, node] = await Promise.all([
        client.get<HistoryView>(`/nodes/${seg(id)}/history`, { since: flags.since, resolution: flags.resolution }).catch((err: unknown) => {
          if (err instanceof ApiRequestError && err.status === 400) throw new UsageError(err.message.replace(/^since:/, '--since:').replace(/^resolution:/, '--resolution:'));
          throw err;
        }),
        client.get<NodeView>(`/nodes/${seg(id)}`),
      ]);
      if (flags.json) printJson(view);
      else process.stdout.write(historyLines(node.hostname, flags.since, view, process.stdout.columns ?? 100));
    });

  node
    .command('update')
    .description("Change a node's labels or availability")
    .argument('<node>')
    .option('--label-add <key=value>', 'add or replace a label; repeatable', collect, [])
    .option('--label-rm <key>', 'remove a label; repeatable', collect, [])
    .option('--availability <availability>', 'active, pause or drain')
    .option('--thermal-warn <C>', "warm from this temperature (C; 'default' = the board profile's)")
    .option('--thermal-throttle <C>', 'hot from this temperature: throttled, no new work, moved after the sustain time')
    .option('--thermal-critical <C>', 'critical from this temperature: throttled harder, moved at once')
    .option('--thermal-ambient-warn <C>', "warm when the warmest ambient sensor reaches this (C; 'default' = not judged)")
    .option('--thermal-ambient-throttle <C>', 'hot when the warmest ambient sensor reaches this, as for the CPU')
    .option('--thermal-ambient-critical <C>', 'critical when the warmest ambient sensor reaches this, as for the CPU')
    .action(async (id: string, flags: UpdateFlags) => {
      const thermal = {
        warnC: limitC('--thermal-warn', flags.thermalWarn),
        throttleC: limitC('--thermal-throttle', flags.thermalThrottle),
        criticalC: limitC('--thermal-critical', flags.thermalCritical),
        ambientWarnC: limitC('--thermal-ambient-warn', flags.thermalAmbientWarn),
        ambientThrottleC: limitC('--thermal-ambient-throttle', flags.thermalAmbientThrottle),
        ambientCriticalC: limitC('--thermal-ambient-critical', flags.thermalAmbientCritical),
      };
      const body = {
        labelAdd: keyValues('--label-add', flags.labelAdd, false),
        labelRm: flags.labelRm,
        availability: flags.availability === undefined ? undefined : oneOf('--availability', flags.availability, ['active', 'pause', 'drain'] as const),
        thermal,
      };
      const thermalChanged = Object.values(thermal).some((v) => v !== undefined);
      if (flags.labelAdd.length === 0 && flags.labelRm.length === 0 && body.availability === undefined && !thermalChanged) {
        throw new UsageError('nothing to update: pass --label-add, --label-rm, --availability, --thermal-warn/-throttle/-critical or --thermal-ambient-*');
      }
      const updated = await KelvinClient.fromEnv()
        .post<NodeView>(`/nodes/${seg(id)}/update`, body)
        .catch((err: unknown) => {
          // The manager refused the values themselves (limits out of order): a usage error, like a bad flag.
          if (err instanceof ApiRequestError && err.status === 400) throw new UsageError(err.message);
          throw err;
        });
      process.stdout.write(`${updated.id}\n`);
    });

  node
    .command('accept')
    .description('Admit nodes that joined a manager run with --require-approval')
    .argument('<node...>')
    .action(async (ids: string[]) => {
      const client = KelvinClient.fromEnv();
      for (const id of ids) process.stdout.write(`${(await client.post<NodeView>(`/nodes/${seg(id)}/accept`)).id}\n`);
    });

  node
    .command('rm')
    .description('Remove nodes that are down (--force: even when ready, and for good)')
    .argument('<node...>')
    .option('-f, --force', 'remove even a node that is still up, revoke its credential and tell its agent to stop its tasks')
    .action(async (ids: string[], flags: { force?: boolean }) => {
      const client = KelvinClient.fromEnv();
      for (const id of ids) {
        const removed = await client.delete<{ id: string }>(`/nodes/${seg(id)}`, { force: flags.force === true });
        process.stdout.write(`${removed.id}\n`);
      }
    });

  for (const sub of node.commands) sub.exitOverride().configureOutput(program.configureOutput());
}
