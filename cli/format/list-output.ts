/**
 * The output options every list command shares, as docker's: `-q` (ids only), `--filter`,
 * `--format` (format/template.ts) and `--json`, applied the same way everywhere.
 */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { applyFilters, parseFilters, type FilterMatchers } from '../filter/filters.js';
import { printJson } from '../output.js';
import { renderFormat } from './template.js';

export interface ListFlags {
  quiet?: boolean;
  filter: string[];
  format?: string;
  json?: boolean;
}

export interface ListSpec<T> {
  items: T[];
  /** What `-q` prints per item. */
  id: (item: T) => string;
  /** The fields `--format` sees: the item's own fields overlaid by the table's columns under docker's names. */
  row: (item: T) => Record<string, unknown>;
  /** The default human output. */
  human: (items: T[]) => string;
  filters?: FilterMatchers<T>;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function addListFlags(cmd: Command, filterKeys?: readonly string[]): Command {
  cmd.option('-q, --quiet', 'only print ids').option('--format <format>', "Go-template-like output: '{{.Name}}', 'table {{.ID}}\\t{{.Name}}', 'json'").option('--json', 'print JSON');
  if (filterKeys) cmd.option('--filter <key=value>', `only what matches; repeatable (keys: ${filterKeys.join(', ')})`, collect, []);
  return cmd;
}

/** Filters must be parsed before any request: a bad one is a usage error with nothing fetched. */
export function checkListFlags<T>(flags: ListFlags, filters?: FilterMatchers<T>): void {
  const chosen = [flags.quiet && '-q', flags.format !== undefined && '--format', flags.json && '--json'].filter(Boolean);
  if (chosen.length > 1) throw new UsageError(`${chosen.join(' and ')}: pick one`);
  if (filters) parseFilters(flags.filter ?? [], filters);
}

export function listOutput<T>(flags: ListFlags, spec: ListSpec<T>): void {
  checkListFlags(flags, spec.filters);
  const items = spec.filters ? applyFilters(spec.items, parseFilters(flags.filter ?? [], spec.filters), spec.filters) : spec.items;
  if (flags.json) return printJson(items);
  if (flags.quiet) return void process.stdout.write(items.map((i) => `${spec.id(i)}\n`).join(''));
  if (flags.format !== undefined) return void process.stdout.write(renderFormat(flags.format, items.map(spec.row), () => spec.human(items)));
  process.stdout.write(spec.human(items));
}
