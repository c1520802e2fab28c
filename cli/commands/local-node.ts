/**
 * The node of this host, for `kelvin node ps` without a NODE (Swarm's `self`): the manager's
 * local agent (`<data dir>/agent`), else an installed agent's state dir.
 */
import { join } from 'node:path';
import { DEFAULT_STATE_DIR } from '../../agent/options.js';
import { readNodeId } from '../../agent/identity.js';
import { defaultDataDir } from '../../manager/options.js';
import { UsageError } from '../errors.js';

export function localNodeId(stateDirs: string[] = [join(defaultDataDir(), 'agent'), DEFAULT_STATE_DIR]): string {
  for (const dir of stateDirs) {
    try {
      const id = readNodeId(dir);
      if (id !== null) return id;
    } catch {
      // an unreadable state dir is simply not this host's node
    }
  }
  throw new UsageError(`node ps: name a NODE (no agent's node id on this host in ${stateDirs.join(' or ')})`);
}
