/** Swarm's equality operators plus Kelvin's ordering operators (allowed on `node.hw.*` only). */
export const OPERATORS = ['==', '!=', '<', '<=', '>', '>='] as const;
export type Operator = (typeof OPERATORS)[number];

export const EQUALITY_OPERATORS: readonly Operator[] = ['==', '!='];

/** Characters that can only appear in an operator; a run of them is read as one operator token. */
export const OPERATOR_CHARS = /[=!<>~]/;

export function isOperator(token: string): token is Operator {
  return (OPERATORS as readonly string[]).includes(token);
}

export function isOrderingOperator(op: Operator): boolean {
  return !EQUALITY_OPERATORS.includes(op);
}

/** `a op b` for numbers. */
export function compareNumbers(a: number, op: Operator, b: number): boolean {
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
  }
}
