/**
 * Splits one expression into key, operator and value with their columns, using swarmkit's
 * character rules (manager/constraint/constraint.go): keys are letters, digits, '-', '_' and '.';
 * values may also hold ':', whitespace and `*()?+[]\^$|/`, but never an operator character.
 * Whitespace around the key, the operator and the value is ignored, as Swarm trims both sides.
 */
import { ConstraintError } from './error.js';
import { OPERATORS, OPERATOR_CHARS, isOperator, type Operator } from './operators.js';

const KEY_CHAR = /[A-Za-z0-9_.-]/;
const VALUE_CHAR = /[A-Za-z0-9:\-_\s.*()?+[\]\\^$|/]/;
const SPACE = /\s/;

export interface Token<T extends string = string> {
  text: T;
  /** 1-based column in the expression. */
  position: number;
}

export interface ScannedConstraint {
  key: Token;
  operator: Token<Operator>;
  value: Token;
}

export function scanConstraint(expression: string): ScannedConstraint {
  function fail(index: number, reason: string): never {
    throw new ConstraintError(expression, index + 1, reason);
  }
  // Trailing whitespace is not part of the expression: a missing value is reported right after the text.
  const end = expression.trimEnd().length;
  function skipSpace(from: number): number {
    let i = from;
    while (i < end && SPACE.test(expression.charAt(i))) i++;
    return i;
  }
  if (end === 0) fail(0, 'empty constraint');

  const keyStart = skipSpace(0);
  let i = keyStart;
  while (i < end && KEY_CHAR.test(expression.charAt(i))) i++;
  const key = expression.slice(keyStart, i);
  const afterKey = expression.charAt(i);
  if (key === '') fail(i, OPERATOR_CHARS.test(afterKey) ? 'empty key' : `invalid character '${afterKey}' in key`);
  if (i < end && !SPACE.test(afterKey) && !OPERATOR_CHARS.test(afterKey)) {
    fail(i, `invalid character '${afterKey}' in key '${key}'`);
  }

  const opStart = skipSpace(i);
  i = opStart;
  while (i < end && OPERATOR_CHARS.test(expression.charAt(i))) i++;
  const op = expression.slice(opStart, i);
  if (op === '') fail(opStart, `missing operator after key '${key}' (expected one of ${OPERATORS.join(', ')})`);
  if (!isOperator(op)) fail(opStart, `unknown operator '${op}'`);

  const valueStart = skipSpace(i);
  const value = expression.slice(valueStart, end);
  if (value === '') fail(valueStart, 'empty value');
  for (let j = valueStart; j < end; j++) {
    const c = expression.charAt(j);
    if (!VALUE_CHAR.test(c)) fail(j, `invalid character '${c}' in value`);
  }

  return {
    key: { text: key, position: keyStart + 1 },
    operator: { text: op, position: opStart + 1 },
    value: { text: value, position: valueStart + 1 },
  };
}
