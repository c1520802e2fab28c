/** The message of the UsageError `fn` throws; fails the test if it throws nothing or something else. */
import { expect } from 'vitest';
import { UsageError } from '../../cli/errors.js';

export function usageMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('expected a UsageError');
}
