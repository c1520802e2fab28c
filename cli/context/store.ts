/**
 * CLI contexts, as `docker context` keeps them: one JSON file per context under
 * `<config dir>/contexts/` holding the API URL, the admin token and the CA certificate that signs
 * the manager's HTTPS certificate (copied in, so the context keeps working if the file moves), and
 * `config.json` naming the current one. Everything is private: directories 700, files 600.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { CliError, UsageError } from '../errors.js';
import { configDir } from './paths.js';

/** The built-in context: KELVIN_HOST, else the manager on this host (as docker's `default`). */
export const DEFAULT_CONTEXT = 'default';
const CONTEXT_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.+-]{0,62}$/;
const MAX_FILE_BYTES = 256 * 1024;

export const contextRecord = z.object({
  name: z.string().regex(CONTEXT_NAME),
  description: z.string().default(''),
  host: z.string(),
  token: z.string().nullable(),
  caPem: z.string().nullable(),
});
export type ContextRecord = z.infer<typeof contextRecord>;

const configFile = z.object({ currentContext: z.string().optional() }).passthrough();

export function checkContextName(name: string): string {
  if (!CONTEXT_NAME.test(name)) throw new UsageError(`context name '${name}': letters, digits, '_', '.', '+' and '-' (max 63), starting with a letter or digit`);
  return name;
}

export class ContextStore {
  constructor(readonly dir: string = configDir()) {}

  private get contextsDir(): string {
    return join(this.dir, 'contexts');
  }

  private contextFile(name: string): string {
    return join(this.contextsDir, `${name}.json`);
  }

  private readJson(file: string): unknown {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new CliError(`cannot read ${file}: ${(err as Error).message}`);
    }
    if (text.length > MAX_FILE_BYTES) throw new CliError(`${file}: larger than ${MAX_FILE_BYTES} bytes`);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new CliError(`${file}: not valid JSON (fix or delete it)`);
    }
  }

  /** Written whole to a temporary file, then renamed: a crash never leaves half a context. */
  private writeJson(file: string, value: unknown): void {
    for (const dir of [this.dir, this.contextsDir]) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      chmodSync(dir, 0o700);
    }
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, file);
  }

  get(name: string): ContextRecord | null {
    const raw = this.readJson(this.contextFile(checkContextName(name)));
    if (raw === undefined) return null;
    const parsed = contextRecord.safeParse(raw);
    if (!parsed.success) throw new CliError(`${this.contextFile(name)}: not a kelvin context (fix or delete it)`);
    return parsed.data;
  }

  list(): ContextRecord[] {
    if (!existsSync(this.contextsDir)) return [];
    return readdirSync(this.contextsDir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -'.json'.length))
      .filter((n) => CONTEXT_NAME.test(n))
      .sort()
      .flatMap((n) => this.get(n) ?? []);
  }

  save(context: ContextRecord): void {
    this.writeJson(this.contextFile(checkContextName(context.name)), context);
  }

  remove(name: string): boolean {
    const file = this.contextFile(checkContextName(name));
    if (!existsSync(file)) return false;
    rmSync(file);
    if (this.current() === name) this.setCurrent(null);
    return true;
  }

  /** The context `kelvin context use` chose; null is the default context. */
  current(): string | null {
    const parsed = configFile.safeParse(this.readJson(join(this.dir, 'config.json')) ?? {});
    const name = parsed.success ? parsed.data.currentContext : undefined;
    return name && name !== DEFAULT_CONTEXT ? name : null;
  }

  setCurrent(name: string | null): void {
    const file = join(this.dir, 'config.json');
    const parsed = configFile.safeParse(this.readJson(file) ?? {});
    const config = parsed.success ? parsed.data : {};
    if (name === null) delete config.currentContext;
    else config.currentContext = name;
    this.writeJson(file, config);
  }
}
