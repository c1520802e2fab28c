/** The `--filter` keys of each list: Swarm's, plus Kelvin's `thermal` and `power` for nodes. */
import type { NodeView, ServiceView, TaskView } from '../../manager/api/views.js';
import { taskName } from '../format/tasks.js';
import { labelMatches, prefixOf, sameWord, type FilterMatchers } from './filters.js';

export const nodeFilters: FilterMatchers<NodeView> = {
  id: { test: (n, v) => prefixOf(n.id, v) },
  name: { test: (n, v) => prefixOf(n.hostname, v) },
  role: { test: (n, v) => sameWord(n.role, v), values: ['manager', 'worker'] },
  membership: { test: (n, v) => sameWord(n.membership, v), values: ['accepted', 'pending'] },
  availability: { test: (n, v) => sameWord(n.availability, v), values: ['active', 'pause', 'drain'] },
  /** Engine labels (`kelvin agent --label`), as Swarm's `label` filter. */
  label: { test: (n, v) => labelMatches(n.engineLabels, v) },
  /** Node labels (hardware labels and `node update --label-add`), as Swarm's `node.label`. */
  'node.label': { test: (n, v) => labelMatches(n.labels, v) },
  thermal: { test: (n, v) => sameWord(n.thermal.state, v), values: ['normal', 'warm', 'hot', 'critical'] },
  power: { test: (n, v) => sameWord(n.power.state, v), values: ['stable', 'unstable'] },
};

export const serviceFilters: FilterMatchers<ServiceView> = {
  id: { test: (s, v) => prefixOf(s.id, v) },
  name: { test: (s, v) => prefixOf(s.name, v) },
  label: { test: (s, v) => labelMatches(s.spec.labels, v) },
  mode: { test: (s, v) => sameWord(s.mode, v), values: ['replicated', 'global'] },
};

/** `node` matches a node id prefix or a hostname; `service` a service name or id prefix. */
export function taskFilters(hostnames: ReadonlyMap<string, string>): FilterMatchers<TaskView> {
  return {
    id: { test: (t, v) => prefixOf(t.id, v) },
    name: { test: (t, v) => prefixOf(taskName(t), v) },
    node: { test: (t, v) => t.nodeId !== null && (prefixOf(t.nodeId, v) || hostnames.get(t.nodeId) === v) },
    'desired-state': { test: (t, v) => sameWord(t.desiredState, v), values: ['running', 'shutdown', 'accepted'] },
    service: { test: (t, v) => t.service === v || prefixOf(t.serviceId, v) },
  };
}

export const TASK_FILTER_KEYS = ['id', 'name', 'node', 'desired-state', 'service'] as const;
