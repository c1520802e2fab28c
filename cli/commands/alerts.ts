/** `kelvin alerts [--follow] [--json] [--node NODE] [--kind KIND]`: heat and power alerts, oldest first. */
import type { Command } from 'commander';
import type { AlertView } from '../../manager/api/views.js';
import { ALERT_KINDS } from '../../shared/payloads/alert.js';
import { KelvinClient } from '../client.js';
import { alertLine } from '../format/alerts.js';
import { printJson } from '../output.js';
import { oneOf } from './args.js';

interface AlertFlags {
  follow?: boolean;
  json?: boolean;
  node?: string;
  kind?: string;
}

export function registerAlerts(program: Command): void {
  program
    .command('alerts')
    .description('List heat and power alerts (oldest first); --follow keeps printing new ones')
    .option('-f, --follow', 'keep printing new alerts as they happen')
    .option('--json', 'print JSON (one object per line with --follow)')
    .option('--node <node>', 'only alerts about this node (id, hostname or id prefix)')
    .option('--kind <kind>', `only this kind: ${ALERT_KINDS.join(', ')}`)
    .action(async (flags: AlertFlags) => {
      const query = { node: flags.node, kind: flags.kind === undefined ? undefined : oneOf('--kind', flags.kind, ALERT_KINDS) };
      const client = KelvinClient.fromEnv();
      const print = (a: AlertView): void => void process.stdout.write(flags.json ? `${JSON.stringify(a)}\n` : alertLine(a));
      if (flags.follow) {
        await client.stream<AlertView>('/alerts', { ...query, follow: true }, print);
        return;
      }
      const alerts = await client.get<AlertView[]>('/alerts', query);
      if (flags.json) printJson(alerts);
      else for (const a of alerts) print(a);
    });
}
