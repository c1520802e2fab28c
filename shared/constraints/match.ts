/**
 * Evaluates parsed constraints against a node. Text compares case-insensitively as in Swarm, with
 * architecture aliases equal (`arm64` matches an `aarch64` Pi); a missing label reads as empty, so
 * it fails `==` and satisfies `!=`. A node whose hostname another node holds fails every
 * `node.hostname` constraint: pinned work (and its secrets) goes only to the name's holder.
 */
import type { Constraint, ConstraintTarget } from './constraint.js';
import { compareNumbers } from './operators.js';
import type { ConstraintSubject } from './subject.js';
import { archEquals } from '../arch.js';

export function matchConstraint(c: Constraint, node: ConstraintSubject): boolean {
  if (c.target.kind === 'hw') {
    const actual = node.hw[c.target.fact];
    // undefined: a live reading this subject does not judge (see ConstraintSubject.hw.ambientC); null: none, fail closed.
    if (actual === undefined) return true;
    return actual !== null && compareNumbers(actual, c.operator, c.target.amount);
  }
  if (c.target.kind === 'device') {
    const has = node.devices?.includes(c.value) ?? false;
    return c.operator === '==' ? has : !has;
  }
  if (c.target.kind === 'field' && c.target.field === 'hostname' && node.hostnameConflict) return false;
  const equal = textEquals(c.target, c.value, node);
  return c.operator === '==' ? equal : !equal;
}

/** The first constraint the node fails, or null when it satisfies all of them. */
export function matchConstraints(cs: Constraint[], node: ConstraintSubject): Constraint | null {
  return cs.find((c) => !matchConstraint(c, node)) ?? null;
}

function textEquals(target: Exclude<ConstraintTarget, { kind: 'hw' } | { kind: 'device' }>, value: string, node: ConstraintSubject): boolean {
  if (target.kind === 'label') {
    const labels = target.scope === 'node' ? node.labels : node.engineLabels;
    const actual = Object.hasOwn(labels, target.name) ? labels[target.name] : undefined;
    return actual !== undefined && equalFold(actual, value);
  }
  switch (target.field) {
    case 'id':
      return equalFold(node.id, value);
    case 'hostname':
      return equalFold(node.hostname, value);
    case 'role':
      return equalFold(node.role, value);
    case 'os':
      return equalFold(node.platform.os, value);
    case 'arch':
      return archEquals(node.platform.arch, value);
  }
}

function equalFold(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
