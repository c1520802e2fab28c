/**
 * `kelvin context create|use|ls|show|inspect|rm`, as `docker context`: a named manager address with
 * its admin token and CA, kept in `~/.config/kelvin` (context/store.ts).
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CliError, UsageError } from '../errors.js';
import { checkHost } from '../context/resolve.js';
import { ContextStore, DEFAULT_CONTEXT, checkContextName, type ContextRecord } from '../context/store.js';
import { addListFlags, listOutput, type ListFlags } from '../format/list-output.js';
import { formatTable, printJson } from '../output.js';

interface CreateFlags {
  host: string;
  tokenFile?: string;
  caFile?: string;
  description?: string;
}

function readSmallFile(flag: string, file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`${flag}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  if (text.length > 64 * 1024) throw new UsageError(`${flag}: ${file} is larger than 64 KiB`);
  return text.trim();
}

function tokenFrom(file: string): string {
  const token = readSmallFile('--token-file', file);
  if (!/^\S+$/.test(token)) throw new UsageError(`--token-file: ${file} must hold one token (no spaces), as <data dir>/admin.token does`);
  return token;
}

function caFrom(file: string): string {
  const pem = readSmallFile('--ca-file', file);
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`--ca-file: ${file} is not a PEM certificate (the manager's <data dir>/tls/ca.pem)`);
  return `${pem}\n`;
}

/** What `context ls` and `--format` see; the token itself is never shown. */
function contextRow(c: ContextRecord, current: string | null): Record<string, unknown> {
  return { Name: c.name, Current: c.name === (current ?? DEFAULT_CONTEXT), Description: c.description, Host: c.host, Token: c.token ? 'set' : '-', CA: c.caPem ? 'set' : '-' };
}

function defaultRow(current: string | null): Record<string, unknown> {
  return { Name: DEFAULT_CONTEXT, Current: current === null, Description: 'KELVIN_HOST, else the manager on this host', Host: process.env.KELVIN_HOST?.trim() || '(this host)', Token: '-', CA: '-' };
}

export function registerContext(program: Command): void {
  const context = program.command('context').description('Manage contexts: which manager the CLI talks to (create, use, ls, inspect, rm)');
  const store = (): ContextStore => new ContextStore();

  context
    .command('create')
    .description('Create a context: a manager API address with its admin token and CA')
    .argument('<name>')
    .requiredOption('--host <url>', 'the manager API, http(s)://HOST:PORT (the manager prints it at start)')
    .option('--token-file <file>', "file holding the admin token (the manager's <data dir>/admin.token)")
    .option('--ca-file <file>', "CA certificate of an https:// API (the manager's <data dir>/tls/ca.pem)")
    .option('--description <text>', 'shown by context ls')
    .action((name: string, flags: CreateFlags) => {
      checkContextName(name);
      if (name === DEFAULT_CONTEXT) throw new UsageError(`context name '${DEFAULT_CONTEXT}' is reserved (the built-in context)`);
      const host = checkHost(flags.host, '--host');
      if (flags.caFile !== undefined && !host.startsWith('https://')) throw new UsageError('--ca-file: only applies to an https:// --host');
      const contexts = store();
      if (contexts.get(name)) throw new CliError(`context '${name}' already exists (kelvin context rm ${name} first)`);
      contexts.save({
        name,
        description: flags.description ?? '',
        host,
        token: flags.tokenFile === undefined ? null : tokenFrom(flags.tokenFile),
        caPem: flags.caFile === undefined ? null : caFrom(flags.caFile),
      });
      process.stdout.write(`${name}\nSuccessfully created context "${name}"\n`);
    });

  context
    .command('use')
    .description("Make a context the current one ('default': KELVIN_HOST, else the manager on this host)")
    .argument('<name>')
    .action((name: string) => {
      const contexts = store();
      if (name !== DEFAULT_CONTEXT && !contexts.get(name)) throw new CliError(`no context named '${name}' (see: kelvin context ls)`);
      contexts.setCurrent(name === DEFAULT_CONTEXT ? null : name);
      process.stdout.write(`${name}\nCurrent context is now "${name}"\n`);
      if (process.env.KELVIN_HOST?.trim() || process.env.KELVIN_CONTEXT?.trim()) {
        process.stderr.write('warning: KELVIN_HOST or KELVIN_CONTEXT is set and takes precedence over the current context\n');
      }
    });

  addListFlags(context.command('ls').description('List contexts (* marks the current one)')).action((flags: ListFlags) => {
    const contexts = store();
    const current = contexts.current();
    const rows = [defaultRow(current), ...contexts.list().map((c) => contextRow(c, current))];
    listOutput(flags, {
      items: rows,
      id: (r) => String(r.Name),
      row: (r) => r,
      human: (items) =>
        formatTable(
          ['NAME', 'DESCRIPTION', 'HOST', 'TOKEN', 'CA'],
          items.map((r) => [`${String(r.Name)}${r.Current ? ' *' : ''}`, String(r.Description), String(r.Host), String(r.Token), String(r.CA)]),
        ),
    });
  });

  context
    .command('show')
    .description('Print the name of the current context')
    .action(() => void process.stdout.write(`${process.env.KELVIN_CONTEXT?.trim() || (store().current() ?? DEFAULT_CONTEXT)}\n`));

  context
    .command('inspect')
    .description('Show contexts in detail as JSON (the token is not shown)')
    .argument('[name...]')
    .action((names: string[]) => {
      const contexts = store();
      const wanted = names.length > 0 ? names : [contexts.current() ?? DEFAULT_CONTEXT];
      printJson(
        wanted.map((name) => {
          if (name === DEFAULT_CONTEXT) return defaultRow(contexts.current());
          const c = contexts.get(name);
          if (!c) throw new CliError(`no context named '${name}'`);
          return { ...contextRow(c, contexts.current()), CAPem: c.caPem };
        }),
      );
    });

  context
    .command('rm')
    .description('Remove contexts')
    .argument('<name...>')
    .action((names: string[]) => {
      const contexts = store();
      for (const name of names) {
        if (name === DEFAULT_CONTEXT) throw new UsageError(`the '${DEFAULT_CONTEXT}' context cannot be removed`);
        if (!contexts.remove(name)) throw new CliError(`no context named '${name}'`);
        process.stdout.write(`${name}\n`);
      }
    });

  for (const sub of context.commands) sub.exitOverride().configureOutput(program.configureOutput());
}
