/**
 * A value in the stack file together with where it is: its YAML path (`services.web.deploy.replicas`)
 * and line. Every reader reports problems through its field, so each message has the one form
 * `<path>: <problem> (line <n>)`. Aliases are followed and `<<` merge keys expanded here, so the
 * readers above never see YAML plumbing.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type Scalar } from 'yaml';
import type { Environment } from './interpolate.js';

export interface Diagnostics {
  errors: string[];
  warnings: string[];
}

/** What every field of one file shares. */
export interface FileContext {
  doc: Document;
  lineCounter: LineCounter;
  env: Environment;
  diagnostics: Diagnostics;
}

export class Field {
  private entryCache: Array<[key: string, field: Field]> | undefined;

  constructor(
    private readonly ctx: FileContext,
    readonly path: string,
    /** The value, aliases already followed; null when the key has no value (`key:`). */
    readonly node: Node | null,
    /** The node whose line diagnostics name: the key for a map entry, else the value. */
    private readonly anchor: Node | null,
  ) {}

  /** The document itself; its path is empty, so its keys read `services`, `services.web`, ... */
  static root(ctx: FileContext, node: Node | null): Field {
    return new Field(ctx, '', resolve(ctx, node), node);
  }

  get env(): Environment {
    return this.ctx.env;
  }

  get line(): number | null {
    const offset = (this.anchor ?? this.node)?.range?.[0];
    return offset === undefined ? null : this.ctx.lineCounter.linePos(offset).line;
  }

  error(problem: string): void {
    this.ctx.diagnostics.errors.push(this.format(problem));
  }

  warn(problem: string): void {
    this.ctx.diagnostics.warnings.push(this.format(problem));
  }

  /** The scalar at this field, or null for a missing value or a collection. */
  scalar(): Scalar | null {
    return isScalar(this.node) && this.node.value !== null ? this.node : null;
  }

  isNull(): boolean {
    return this.node === null || (isScalar(this.node) && this.node.value === null);
  }

  isMap(): boolean {
    return isMap(this.node);
  }

  isSeq(): boolean {
    return isSeq(this.node);
  }

  /** Map entries in file order; merged (`<<`) entries first, keys written here override them. */
  entries(): Array<[key: string, field: Field]> {
    if (!this.entryCache) {
      const out = new Map<string, Field>();
      this.collectEntries(this.node, out, new Set());
      this.entryCache = [...out.entries()]; // built once, so a bad merge is reported once
    }
    return this.entryCache;
  }

  /** Sequence items, each with an indexed path (`constraints[0]`). */
  items(): Field[] {
    if (!isSeq(this.node)) return [];
    return this.node.items.map((item, i) => {
      const itemNode = (item as Node | null) ?? null;
      return new Field(this.ctx, `${this.path}[${i}]`, resolve(this.ctx, itemNode), itemNode);
    });
  }

  private collectEntries(node: Node | null, out: Map<string, Field>, seen: Set<Node>): void {
    if (!isMap(node) || seen.has(node)) return;
    seen.add(node);
    const isMerge = (key: unknown): boolean => isScalar(key) && key.type === 'PLAIN' && key.value === '<<';
    for (const pair of node.items) {
      if (isMerge(pair.key)) this.merge(resolve(this.ctx, (pair.value as Node | null) ?? null), out, seen);
    }
    for (const pair of node.items) {
      const keyNode = pair.key as Node | null;
      if (isMerge(keyNode)) continue;
      const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
      out.delete(key); // a key written here replaces a merged one and takes its own place in order
      out.set(key, new Field(this.ctx, this.path === '' ? key : `${this.path}.${key}`, resolve(this.ctx, (pair.value as Node | null) ?? null), keyNode));
    }
  }

  /** `<<: *a` or `<<: [*a, *b]`; in a list, earlier maps win, and the enclosing map beats them all. */
  private merge(source: Node | null, out: Map<string, Field>, seen: Set<Node>): void {
    const sources = isSeq(source) ? source.items.map((n) => resolve(this.ctx, n as Node)).reverse() : [source];
    for (const s of sources) {
      if (!isMap(s)) {
        this.error("'<<' must merge a mapping or a list of mappings");
        continue;
      }
      this.collectEntries(s, out, seen);
    }
  }

  private format(problem: string): string {
    const line = this.line;
    return `${this.path}: ${problem}${line === null ? '' : ` (line ${line})`}`;
  }
}

function resolve(ctx: FileContext, node: Node | null): Node | null {
  let current = node;
  for (let hops = 0; isAlias(current) && hops < 100; hops++) current = (current.resolve(ctx.doc) as Node | undefined) ?? null;
  return isAlias(current) ? null : current;
}
