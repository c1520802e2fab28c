/**
 * `--format` for list commands, the subset of Go templates docker users type: `{{.Name}}`,
 * `{{.Spec.Image}}` (field names matched without regard to case), `{{json .}}`, `{{json .Labels}}`,
 * `{{upper .X}}`, `{{lower .X}}`, `{{join .List ","}}`, a leading `table` for aligned columns with
 * headers, `\t` and `\n` escapes, and `json` alone for one JSON object per line.
 * Values from boards are made terminal-safe; JSON keeps them JSON-escaped.
 */
import { UsageError } from '../errors.js';
import { formatTable } from '../output.js';
import { terminalSafe } from '../terminal-safe.js';

type Row = Record<string, unknown>;

interface Action {
  fn: 'value' | 'json' | 'upper' | 'lower' | 'join';
  path: string[];
  sep: string;
  /** Column header for `table`: the last field name, split at its capitals (DesiredState: DESIRED STATE). */
  header: string;
}

type Part = string | Action;

const ACTION = /\{\{\s*(.*?)\s*\}\}/g;

function parsePath(text: string, where: string): string[] {
  if (text === '.') return [];
  if (!/^(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(text)) throw new UsageError(`--format: '${where}' is not a field such as .Name`);
  return text.slice(1).split('.');
}

function parseAction(inner: string): Action {
  const words = inner.match(/"[^"]*"|\S+/g) ?? [];
  const [first = '', second, third] = words;
  const fn = first.startsWith('.') ? 'value' : first;
  if (!['value', 'json', 'upper', 'lower', 'join'].includes(fn)) throw new UsageError(`--format: unknown function '${first}' in {{${inner}}} (known: json, upper, lower, join)`);
  const pathText = fn === 'value' ? first : second;
  if (pathText === undefined || (fn === 'value' && words.length > 1) || (fn !== 'join' && fn !== 'value' && words.length > 2) || (fn === 'join' && words.length !== 3)) {
    throw new UsageError(`--format: cannot read {{${inner}}}`);
  }
  const path = parsePath(pathText, inner);
  const last = path[path.length - 1] ?? 'json';
  return { fn: fn as Action['fn'], path, sep: fn === 'join' ? (third ?? '').replace(/^"|"$/g, '') : '', header: last.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toUpperCase() };
}

function parse(text: string): Part[] {
  const parts: Part[] = [];
  let at = 0;
  for (const m of text.matchAll(ACTION)) {
    if (m.index > at) parts.push(text.slice(at, m.index));
    parts.push(parseAction(m[1] ?? ''));
    at = m.index + m[0].length;
  }
  if (at < text.length) parts.push(text.slice(at));
  const rest = parts.filter((p): p is string => typeof p === 'string').join('');
  if (rest.includes('{{') || rest.includes('}}')) throw new UsageError(`--format: unbalanced '{{' or '}}' in '${text}'`);
  return parts;
}

/** A field by name, exact first, then ignoring case (`.ID` finds `id`). */
function field(value: unknown, name: string, path: string[]): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new UsageError(`--format: cannot read .${path.join('.')}: .${name} is not inside an object`);
  const obj = value as Row;
  if (name in obj) return obj[name];
  const key = Object.keys(obj).find((k) => k.toLowerCase() === name.toLowerCase());
  if (key === undefined) throw new UsageError(`--format: no field .${name} (fields: ${Object.keys(obj).join(', ')})`);
  return obj[key];
}

function text(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function evaluate(action: Action, row: Row): string {
  const value = action.path.reduce<unknown>((v, name) => field(v, name, action.path), row);
  switch (action.fn) {
    case 'json':
      return JSON.stringify(value ?? null);
    case 'upper':
      return terminalSafe(text(value).toUpperCase());
    case 'lower':
      return terminalSafe(text(value).toLowerCase());
    case 'join':
      if (!Array.isArray(value)) throw new UsageError(`--format: join needs a list, and .${action.path.join('.')} is not one`);
      return terminalSafe(value.map(text).join(action.sep));
    default:
      return terminalSafe(text(value));
  }
}

const unescape = (s: string): string => s.replace(/\\t/g, '\t').replace(/\\n/g, '\n');

/** Renders `rows` with the `--format` value; `table` alone falls back to `defaultTable`. */
export function renderFormat(format: string, rows: Row[], defaultTable: () => string): string {
  const trimmed = format.trim();
  if (trimmed === 'json') return rows.map((r) => `${JSON.stringify(r)}\n`).join('');
  const isTable = /^table(\s|$)/.test(trimmed);
  const body = unescape(isTable ? trimmed.slice('table'.length).trim() : format);
  if (isTable && body === '') return defaultTable();
  const parts = parse(body);
  const render = (row: Row): string => parts.map((p) => (typeof p === 'string' ? p : evaluate(p, row))).join('');
  if (!isTable) return rows.map((r) => `${render(r)}\n`).join('');
  // Columns are the tab-separated pieces; each header names the fields its piece shows.
  const headerLine = parts.map((p) => (typeof p === 'string' ? p : p.header)).join('');
  const split = (line: string): string[] => line.split('\t').map((c) => c.trim());
  // formatTable makes cells terminal-safe again, which leaves already-safe text unchanged.
  return formatTable(split(headerLine), rows.map((r) => split(render(r))));
}
