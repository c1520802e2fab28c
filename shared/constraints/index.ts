/** The Swarm constraint language with Kelvin's `node.hw.*` extension; see parse.ts and match.ts. */
export type { Constraint, ConstraintTarget } from './constraint.js';
export { ConstraintError } from './error.js';
export type { HwFact, KeyTarget, NodeField } from './keys.js';
export { matchConstraint, matchConstraints } from './match.js';
export { OPERATORS, type Operator } from './operators.js';
export { parseConstraint, parseConstraints } from './parse.js';
export type { ConstraintSubject } from './subject.js';
