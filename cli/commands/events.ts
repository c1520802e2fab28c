/** `kelvin events [--follow] [--json]`: every cluster state change (nodes, tasks, heat, power), oldest first. */
import type { Command } from 'commander';
import type { EventView } from '../../manager/api/views.js';
import { KelvinClient } from '../client.js';
import { eventLine } from '../format/events.js';
import { printJson } from '../output.js';

export function registerEvents(program: Command): void {
  program
    .command('events')
    .description('List cluster state changes (oldest first); --follow keeps printing new ones')
    .option('-f, --follow', 'keep printing new events as they happen')
    .option('--json', 'print JSON (one object per line with --follow)')
    .action(async (flags: { follow?: boolean; json?: boolean }) => {
      const client = KelvinClient.fromEnv();
      const print = (e: EventView): void => void process.stdout.write(flags.json ? `${JSON.stringify(e)}\n` : eventLine(e));
      if (flags.follow) {
        await client.stream<EventView>('/events', { follow: true }, print);
        return;
      }
      const events = await client.get<EventView[]>('/events');
      if (flags.json) printJson(events);
      else for (const e of events) print(e);
    });
}
