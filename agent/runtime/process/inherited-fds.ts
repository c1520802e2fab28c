/**
 * node-pty 1.1 leaves every pty master it opens inheritable (its Linux forkpty path sets no
 * close-on-exec; microsoft/node-pty#657, fixed after 1.1). Each task would then hold the terminals
 * of all tasks started before it: it could read and type into them, and an earlier task would not
 * get its hang-up when the agent dies. Until node-pty is upgraded, tasks start through bash, which
 * closes every inherited descriptor above stderr and then execs the program in place (same pid,
 * same start time). Where there is no bash the program starts directly and the leak remains.
 */
import { accessSync, constants } from 'node:fs';
import type { LaunchPlan } from './launch-plan.js';

const BASH_PATHS = ['/bin/bash', '/usr/bin/bash'];
const CLOSE_INHERITED = 'for fd in /proc/$$/fd/*; do fd=${fd##*/}; if [ "$fd" -gt 2 ]; then exec {fd}>&-; fi; done; exec "$@"';

function findBash(): string | null {
  for (const path of BASH_PATHS) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // try the next one
    }
  }
  return null;
}

/** The same launch, started through the descriptor-closing bash prelude when bash exists. */
export function closingInheritedFds(plan: LaunchPlan): LaunchPlan {
  const bash = findBash();
  if (!bash) return plan;
  return { ...plan, file: bash, args: ['-c', CLOSE_INHERITED, 'kelvin-task', plan.file, ...plan.args] };
}
