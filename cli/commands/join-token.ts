/** `kelvin join-token [-q] [--rotate]`: how a board joins, as `docker swarm join-token worker`. */
import type { Command } from 'commander';
import type { JoinTokenView } from '../../manager/api/views.js';
import { KelvinClient } from '../client.js';

export function joinCommand(info: JoinTokenView): string {
  return `kelvin agent --broker ${info.brokerUrl} --token ${info.token}`;
}

export function registerJoinToken(program: Command): void {
  program
    .command('join-token')
    .description('Show or rotate the worker join token')
    .option('-q, --quiet', 'print the token only')
    .option('--rotate', 'make a new token; joined nodes keep working, the old token stops admitting new ones')
    .action(async (flags: { quiet?: boolean; rotate?: boolean }) => {
      const client = KelvinClient.fromEnv();
      const info = flags.rotate ? await client.post<JoinTokenView>('/join-token/rotate') : await client.get<JoinTokenView>('/join-token');
      if (flags.quiet) return void process.stdout.write(`${info.token}\n`);
      if (flags.rotate) process.stdout.write('Rotated the join token; nodes that joined already keep working.\n\n');
      process.stdout.write(`To add a board to this cluster, run on it:\n\n    ${joinCommand(info)}\n\n`);
    });
}
