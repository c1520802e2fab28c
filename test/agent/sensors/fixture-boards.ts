/**
 * Fixture boards for sensing tests: sysfs/procfs trees under test/fixtures/boards/<name>, and a
 * PATH that holds only the stand-in tools a test asks for (never the host's own nvidia-smi or
 * vcgencmd), plus the few programs the stand-ins themselves run.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, cpSync, mkdtempSync, openSync, rmSync, symlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findOnPath } from '../../../agent/sensors/find-tool.js';

export const FIXTURES_DIR = fileURLToPath(new URL('../../fixtures/', import.meta.url));
export const FIXTURE_BIN = join(FIXTURES_DIR, 'bin');

export function boardRoot(name: string): string {
  return join(FIXTURES_DIR, 'boards', name);
}

let toolsDir: string | null = null;

/** A folder with links to node, sh, grep, cat and dirname only: what the stand-in scripts need. */
function standInTools(): string {
  if (toolsDir) return toolsDir;
  const dir = mkdtempSync(join(tmpdir(), 'kelvin-tools-'));
  symlinkSync(process.execPath, join(dir, 'node'));
  for (const tool of ['sh', 'grep', 'cat', 'dirname']) {
    const found = findOnPath(tool, process.env);
    if (found) symlinkSync(found, join(dir, tool));
  }
  toolsDir = dir;
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface FixtureEnvOptions {
  /** Put the stand-in nvidia-smi on PATH. */
  nvidiaSmi?: boolean;
  /** FAKE_NVIDIA_SMI_* and other variables for the stand-ins. */
  vars?: Record<string, string>;
}

/** The environment an agent on this fixture board sees: the board's own bin/ first. */
export function fixtureEnv(board: string, options: FixtureEnvOptions = {}): NodeJS.ProcessEnv {
  const path = [join(board, 'bin'), ...(options.nvidiaSmi ? [FIXTURE_BIN] : []), standInTools()].join(':');
  return { PATH: path, ...options.vars };
}

/** A writable copy of a fixture board, for tests that break or change files; remove it after. */
export function copyBoard(name: string): { root: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `kelvin-board-${name}-`));
  cpSync(boardRoot(name), dir, { recursive: true, verbatimSymlinks: true });
  return { root: dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Writes `text` into a FIFO and closes it, so a reader stuck opening it (what a hung sensor read
 * looks like) gets the text and then EOF; a no-op when nobody is reading it.
 */
export function feedFifo(fifo: string, text = ''): void {
  let fd: number;
  try {
    fd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch {
    return; // ENXIO: no reader
  }
  if (text) writeSync(fd, text);
  closeSync(fd);
}

/** Makes `path` (a sensor file in a board copy) a FIFO nobody writes; call the result after the test so no reader stays stuck on it. */
export function replaceWithFifo(path: string): () => void {
  rmSync(path, { force: true });
  execFileSync('mkfifo', [path]);
  return () => feedFifo(path);
}

/** `copyBoard` with the sensor file `rel` made a FIFO nobody writes; `remove()` first lets any reader stuck on it go. */
export function copyBoardWithFifo(name: string, rel: string): { root: string; remove(): void } {
  const copy = copyBoard(name);
  const release = replaceWithFifo(join(copy.root, rel));
  return {
    root: copy.root,
    remove: () => {
      release();
      copy.remove();
    },
  };
}
