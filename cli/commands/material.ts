/** `kelvin secret create|ls|inspect|rm` and `kelvin config create|ls|inspect|rm`, as `docker secret|config` has them. */
import { Command } from 'commander';
import type { MaterialView } from '../../manager/secrets/materials.js';
import type { MaterialKind } from '../../shared/secrets/refs.js';
import { KelvinClient } from '../client.js';
import { shortId } from '../format/tasks.js';
import { ago } from '../format/time.js';
import { formatTable, printJson } from '../output.js';
import { collect, keyValues } from './args.js';
import { readMaterialData } from './material-data.js';

const seg = encodeURIComponent;

function register(program: Command, kind: MaterialKind): void {
  const cmd = program
    .command(kind)
    .description(kind === 'secret' ? 'Manage secrets: create, ls, inspect, rm' : 'Manage configs: create, ls, inspect, rm');

  cmd
    .command('create')
    .description(`Create a ${kind} from FILE, or from standard input with -`)
    .argument('<name>')
    .argument('<file>', 'file with the value, or - for standard input (at most 500 KiB)')
    .option('-l, --label <k=v>', `${kind} label; repeatable`, collect, [])
    .action(async (name: string, file: string, flags: { label: string[] }) => {
      const labels = keyValues('--label', flags.label, false);
      const data = readMaterialData(file).toString('base64');
      const created = await KelvinClient.fromEnv().post<MaterialView>(`/${kind}s`, { name, data, labels });
      process.stdout.write(`${created.id}\n`);
    });

  cmd
    .command('ls')
    .description(`List ${kind}s`)
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      const items = await KelvinClient.fromEnv().get<MaterialView[]>(`/${kind}s`);
      if (flags.json) return printJson(items);
      process.stdout.write(formatTable(['ID', 'NAME', 'CREATED', 'SERVICES'], items.map((m) => [shortId(m.id), m.name, ago(m.createdAt), m.usedBy.join(', ') || '-'])));
    });

  cmd
    .command('inspect')
    .description(kind === 'secret' ? 'Show secrets (never their value)' : 'Show configs, with their value in base64')
    .argument('<ref...>', 'name or id')
    .action(async (refs: string[]) => {
      const client = KelvinClient.fromEnv();
      printJson(await Promise.all(refs.map((r) => client.get<MaterialView>(`/${kind}s/${seg(r)}`))));
    });

  cmd
    .command('rm')
    .description(`Remove ${kind}s (refused while a service uses one)`)
    .argument('<ref...>', 'name or id')
    .action(async (refs: string[]) => {
      const client = KelvinClient.fromEnv();
      for (const ref of refs) {
        await client.delete(`/${kind}s/${seg(ref)}`);
        process.stdout.write(`${ref}\n`);
      }
    });

  for (const sub of cmd.commands) sub.exitOverride().configureOutput(program.configureOutput());
}

export function registerSecret(program: Command): void {
  register(program, 'secret');
}

export function registerConfig(program: Command): void {
  register(program, 'config');
}
