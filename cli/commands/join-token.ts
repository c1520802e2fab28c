/** `kelvin join-token [-q] [--rotate [--prune]]`: how a board joins, as `docker swarm join-token worker`. */
import type { Command } from 'commander';
import type { JoinTokenView } from '../../manager/api/views.js';
import { KelvinClient } from '../client.js';
import { UsageError } from '../errors.js';
import { printJson } from '../output.js';

export function joinCommand(info: JoinTokenView): string {
  return `kelvin agent --broker ${info.brokerUrl} --token ${info.token}`;
}

export function registerJoinToken(program: Command): void {
  program
    .command('join-token')
    .description('Show or rotate the worker join token')
    .option('-q, --quiet', 'print the token only')
    .option('--json', 'print JSON: token, brokerUrl, the join command (and what --prune removed)')
    .option('--rotate', 'make a new token; joined nodes keep working, the old token stops admitting new ones')
    .option('--prune', 'with --rotate: also remove the nodes that never became ready')
    .action(async (flags: { quiet?: boolean; json?: boolean; rotate?: boolean; prune?: boolean }) => {
      if (flags.prune && !flags.rotate) throw new UsageError('--prune goes with --rotate');
      if (flags.quiet && flags.json) throw new UsageError('-q and --json: pick one');
      const client = KelvinClient.fromEnv();
      const info = flags.rotate
        ? await client.post<JoinTokenView>(`/join-token/rotate${flags.prune ? '?prune=1' : ''}`)
        : await client.get<JoinTokenView>('/join-token');
      if (flags.quiet) return void process.stdout.write(`${info.token}\n`);
      if (flags.json) return printJson({ ...info, command: joinCommand(info) });
      if (flags.rotate) process.stdout.write('Rotated the join token; nodes that joined already keep working.\n');
      if (flags.prune) process.stdout.write(`Removed ${info.pruned?.length ?? 0} nodes that never became ready${info.pruned?.length ? `: ${info.pruned.join(', ')}` : ''}.\n`);
      if (flags.rotate) process.stdout.write('\n');
      process.stdout.write(`To add a board to this cluster, run on it:\n\n    ${joinCommand(info)}\n\n`);
    });
}
