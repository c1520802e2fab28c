/**
 * Strict, fail-closed parsing: anything that is not a well-formed constraint on a known key is a
 * ConstraintError naming the expression and the column, never a filter that silently matches nothing.
 */
import type { Constraint, ConstraintTarget } from './constraint.js';
import { ConstraintError } from './error.js';
import { resolveKey, type HwUnit, type KeyTarget } from './keys.js';
import { isOrderingOperator } from './operators.js';
import { scanConstraint, type Token } from './scan.js';
import { parseBytes } from '../units.js';
import { devicePath } from '../container-options.js';

const ROLES = ['manager', 'worker'];

export function parseConstraint(expression: string): Constraint {
  const { key, operator, value } = scanConstraint(expression);
  const resolved = resolveKey(key.text);
  if (!resolved.ok) throw new ConstraintError(expression, key.position + resolved.offset, resolved.reason);
  if (resolved.target.kind !== 'hw' && isOrderingOperator(operator.text)) {
    const reason = `ordering operator '${operator.text}' works only on node.hw.* keys, not on '${resolved.key}'`;
    throw new ConstraintError(expression, operator.position, reason);
  }
  return {
    key: resolved.key,
    operator: operator.text,
    value: value.text,
    text: expression.trim(),
    target: bindValue(resolved.target, resolved.key, value, expression),
  };
}

/** Parses every expression; throws the first ConstraintError. */
export function parseConstraints(expressions: string[]): Constraint[] {
  return expressions.map(parseConstraint);
}

/** Checks the value against what the key can hold: numbers for node.hw.*, a known role for node.role. */
function bindValue(target: KeyTarget, key: string, value: Token, expression: string): ConstraintTarget {
  if (target.kind === 'hw') {
    const amount = readAmount(target.unit, value.text);
    if (amount === null) throw new ConstraintError(expression, value.position, amountError(target.unit, key, value.text));
    return { kind: 'hw', fact: target.fact, amount };
  }
  if (target.kind === 'device' && !devicePath.safeParse(value.text).success) {
    throw new ConstraintError(expression, value.position, `invalid device '${value.text}' for ${key} (expected a path under /dev, e.g. /dev/video0)`);
  }
  if (target.kind === 'field' && target.field === 'role' && !ROLES.includes(value.text.toLowerCase())) {
    throw new ConstraintError(expression, value.position, `unknown role '${value.text}' (expected manager or worker)`);
  }
  return target;
}

function readAmount(unit: HwUnit, text: string): number | null {
  if (unit === 'bytes') return parseBytes(text);
  if (unit === 'celsius') return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : null;
  return /^\d+$/.test(text) ? Number(text) : null;
}

function amountError(unit: HwUnit, key: string, text: string): string {
  if (unit === 'bytes') return `invalid byte size '${text}' for ${key} (use e.g. 512MiB, 8GiB or 8G)`;
  if (unit === 'celsius') return `invalid temperature '${text}' for ${key} (degrees C, e.g. 35 or 32.5)`;
  return `invalid number '${text}' for ${key} (expected a whole number)`;
}
