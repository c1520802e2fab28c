/**
 * Spread placement preferences (`--placement-pref spread=node.labels.zone`): which value of the
 * descriptor a node has. As in Swarm, a node without the label falls in the '' group.
 */
import { canonicalArch } from '../../shared/arch.js';
import type { ConstraintSubject } from '../../shared/constraints/subject.js';

export type SpreadReader = (subject: ConstraintSubject) => string;

const LABEL_PREFIXES: [string, (subject: ConstraintSubject) => Record<string, string>][] = [
  ['node.labels.', (subject) => subject.labels],
  ['engine.labels.', (subject) => subject.engineLabels],
];

const FIELDS = new Map<string, SpreadReader>([
  ['node.id', (subject) => subject.id],
  ['node.hostname', (subject) => subject.hostname],
  ['node.role', (subject) => subject.role],
  ['node.platform.os', (subject) => subject.platform.os],
  ['node.platform.arch', (subject) => canonicalArch(subject.platform.arch)],
]);

/** Reader for a descriptor (prefix case-insensitive, label key exact), or null when it names nothing known. */
export function spreadReader(descriptor: string): SpreadReader | null {
  const lower = descriptor.toLowerCase();
  for (const [prefix, labelsOf] of LABEL_PREFIXES) {
    if (lower.startsWith(prefix) && descriptor.length > prefix.length) {
      const key = descriptor.slice(prefix.length);
      return (subject) => {
        const labels = labelsOf(subject);
        return Object.hasOwn(labels, key) ? (labels[key] as string) : '';
      };
    }
  }
  return FIELDS.get(lower) ?? null;
}

/** For validating `--placement-pref` at service create; the scheduler ignores unknown descriptors as Swarm does. */
export function isSpreadDescriptor(descriptor: string): boolean {
  return spreadReader(descriptor) !== null;
}
