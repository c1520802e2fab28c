import type { HwFact, KeyTarget } from './keys.js';
import type { Operator } from './operators.js';

/** What a parsed constraint reads on a node; `node.hw.*` targets carry their value as a number. */
export type ConstraintTarget =
  | Exclude<KeyTarget, { kind: 'hw' }>
  | { kind: 'hw'; fact: HwFact; /** bytes or a count */ amount: number };

export interface Constraint {
  /** Canonical key: lower-case, except a label name which keeps its case (`node.labels.Zone`). */
  key: string;
  operator: Operator;
  /** The value as written. */
  value: string;
  /** The original text, trimmed. */
  text: string;
  target: ConstraintTarget;
}
