/** `deploy.placement`: constraints (checked with the constraint parser), spread preferences, per-node cap. */
import { ConstraintError, parseConstraint } from '../constraints/index.js';
import type { ServiceSpec } from '../service-spec.js';
import type { Field } from './field.js';
import { readNonNegativeInt, readString, readStringList } from './read.js';
import { readSection, requireKeys } from './section.js';

type Placement = ServiceSpec['placement'];

export function readPlacement(field: Field, placement: Placement): void {
  readSection(field, {
    constraints: (f) => {
      placement.constraints = readConstraints(f);
    },
    preferences: (f) => {
      placement.preferences = readPreferences(f);
    },
    max_replicas_per_node: (f) => {
      placement.maxReplicasPerNode = readNonNegativeInt(f) ?? placement.maxReplicasPerNode;
    },
  });
}

/** Kept as written (the store holds raw expressions) once each one parses; fails closed otherwise. */
function readConstraints(field: Field): string[] {
  if (!field.isSeq()) {
    readStringList(field); // reports the wrong shape
    return [];
  }
  const out: string[] = [];
  for (const item of field.items()) {
    const expression = readString(item);
    if (expression === undefined) continue;
    try {
      parseConstraint(expression);
      out.push(expression);
    } catch (e) {
      if (!(e instanceof ConstraintError)) throw e;
      item.error(e.reason);
    }
  }
  return out;
}

function readPreferences(field: Field): Placement['preferences'] {
  if (!field.isSeq()) {
    field.error('expected a list of preferences such as `- spread: node.labels.zone`');
    return [];
  }
  const out: Placement['preferences'] = [];
  for (const item of field.items()) {
    const pref: { spread?: string | undefined } = {};
    readSection(item, { spread: (f) => (pref.spread = readString(f)) });
    if (!requireKeys(item, ['spread']) || pref.spread === undefined) continue;
    if (pref.spread === '') item.error('spread needs a label, e.g. node.labels.zone');
    else out.push({ spread: pref.spread });
  }
  return out;
}
