/**
 * node-pty is a native module: a board where it failed to build must still run docker tasks, so
 * it is loaded on first use and its absence only makes the process driver unavailable.
 */
import type * as NodePty from 'node-pty';

export type PtyModule = typeof NodePty;

let loading: Promise<PtyModule | null> | null = null;

export function loadPty(): Promise<PtyModule | null> {
  loading ??= import('node-pty').then(
    (m) => m as PtyModule,
    () => null,
  );
  return loading;
}
