/** Shared by the stack parser tests: parse a snippet and get the specs, the warnings or the errors. */
import { readFileSync } from 'node:fs';
import { parseStackFile, type StackParseResult } from '../../../shared/stack/index.js';
import type { ServiceSpec } from '../../../shared/service-spec.js';

type Env = Record<string, string | undefined>;

/** Strips the indentation a YAML snippet has from sitting inside a template literal. */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const text = String.raw({ raw: strings }, ...values).replace(/^\n/, '');
  const indent = Math.min(...text.split('\n').filter((l) => l.trim()).map((l) => /^ */.exec(l)?.[0].length ?? 0));
  return text
    .split('\n')
    .map((l) => l.slice(indent))
    .join('\n');
}

export function fixture(name: string): string {
  return readFileSync(new URL(`../../fixtures/stacks/${name}`, import.meta.url), 'utf8');
}

export function parseOk(text: string, env: Env = {}): StackParseResult {
  const result = parseStackFile(text, { file: 'stack.yml', env });
  if (!result.ok) throw new Error(`expected the stack to parse, got:\n${result.errors.join('\n')}`);
  return result;
}

/** The one service a snippet declares. */
export function onlyService(text: string, env: Env = {}): ServiceSpec {
  const { services } = parseOk(text, env);
  if (services.length !== 1 || !services[0]) throw new Error(`expected one service, got ${services.length}`);
  return services[0];
}

export function parseErrors(text: string, env: Env = {}): string[] {
  const result = parseStackFile(text, { file: 'stack.yml', env });
  if (result.ok) throw new Error('expected the stack to be rejected, but it parsed');
  return result.errors;
}
