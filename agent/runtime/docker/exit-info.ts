/** How a container ended, in the runtime contract's terms. */
import { constants } from 'node:os';
import type { ExitInfo } from '../types.js';
import type { ContainerState } from './engine-types.js';

const SIGNAL_NAMES = new Map<number, string>(Object.entries(constants.signals).map(([name, num]) => [num, name]));

/**
 * Docker reports a container killed by signal N as exit code 128+N (137 = SIGKILL, 143 = SIGTERM),
 * the shell's convention; the signal name is derived from that, the exit code kept as Docker shows it.
 */
export function signalFromExitCode(exitCode: number): string | null {
  return exitCode > 128 ? (SIGNAL_NAMES.get(exitCode - 128) ?? null) : null;
}

export function exitFromState(state: ContainerState): ExitInfo {
  if (state.Status === 'created') {
    return { exitCode: null, signal: null, error: 'container was created but never started' };
  }
  return {
    exitCode: state.ExitCode,
    signal: signalFromExitCode(state.ExitCode),
    error: state.OOMKilled ? 'OOM killed' : state.Error || null,
  };
}

/** A container that disappeared (removed behind the agent's back) has no exit code to report. */
export const GONE: ExitInfo = { exitCode: null, signal: null, error: 'container no longer exists' };
