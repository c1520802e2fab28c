/**
 * `stack deploy -c base.yml -c override.yml`: each file is read on its own first (syntax errors
 * keep their own file and line), then merged in order (merge.ts) and parsed as one stack. Problems
 * found after the merge keep their YAML path but, having no line in any one file, say they are in
 * the merge of the files; a single file is parsed as it is, lines and all.
 */
import { LineCounter, parseDocument, stringify } from 'yaml';
import { parseStackFile, type StackParseFailure, type StackParseOptions, type StackParseResult } from './index.js';
import type { Environment } from './interpolate.js';
import { mergeTrees } from './merge.js';

export interface StackFile {
  file: string;
  text: string;
}

/** `options`: how the files' relative paths are read (env_file) and the stack's name (volume names). */
export function parseStackFiles(
  files: readonly StackFile[],
  env: Environment,
  options: Omit<StackParseOptions, 'file' | 'env'> = {},
): StackParseResult | StackParseFailure {
  if (files.length === 1 && files[0]) return parseStackFile(files[0].text, { ...options, file: files[0].file, env });
  const errors: string[] = [];
  let merged: unknown = undefined;
  for (const { file, text } of files) {
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
    if (doc.errors.length > 0) {
      errors.push(...doc.errors.map((e) => `${file}: ${e.message} (line ${lineCounter.linePos(e.pos[0]).line})`));
      continue;
    }
    const tree: unknown = doc.toJS({ maxAliasCount: 100 });
    if (tree !== null && (typeof tree !== 'object' || Array.isArray(tree))) {
      errors.push(`${file}: expected a mapping with a services: section at the top level`);
      continue;
    }
    merged = mergeTrees(merged, tree ?? {});
  }
  if (errors.length > 0) return { ok: false, errors };
  const where = `in the merge of ${files.map((f) => f.file).join(', ')}`;
  const relabel = (line: string): string => line.replace(/ \(line \d+\)$/, ` (${where})`);
  const parsed = parseStackFile(stringify(merged), { ...options, file: where, env });
  return parsed.ok ? { ...parsed, warnings: parsed.warnings.map(relabel) } : { ok: false, errors: parsed.errors.map(relabel) };
}
