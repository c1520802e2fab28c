/**
 * The one error a bad constraint produces. It names the expression and the 1-based column of the
 * problem so `service create` can point at it; the scheduler never sees a constraint that failed here.
 */
export class ConstraintError extends Error {
  override readonly name = 'ConstraintError';

  constructor(
    readonly expression: string,
    /** 1-based column in `expression`. */
    readonly position: number,
    /** Short reason without the expression, e.g. "unknown operator '=~'". */
    readonly reason: string,
  ) {
    super(`invalid constraint '${expression}': ${reason} at position ${position}`);
  }
}
