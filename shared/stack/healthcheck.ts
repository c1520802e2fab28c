/**
 * A service's `healthcheck`, converted as `docker stack deploy` does: `test` as a list starting with
 * CMD, CMD-SHELL or NONE, or a string (run by a shell); `disable: true` (or `test: [NONE]`) turns
 * every check off, the image's too; 0 or absent timings take Swarm's defaults.
 */
import { healthCheckOf, type HealthCheck, type ServiceHealthcheck } from '../healthcheck.js';
import type { Field } from './field.js';
import { readBoolean, readDurationMs, readNonNegativeInt, readString, readStringList } from './read.js';
import { readSection } from './section.js';

export function readHealthcheck(field: Field): ServiceHealthcheck | undefined {
  let test: string[] | 'none' | undefined;
  let testField: Field | undefined;
  let disabled = false;
  const timing: Partial<Omit<HealthCheck, 'test'>> = {};
  readSection(
    field,
    {
      test: (f) => {
        testField = f;
        test = readTest(f);
      },
      interval: (f) => (timing.intervalMs = readDurationMs(f)),
      timeout: (f) => (timing.timeoutMs = readDurationMs(f)),
      retries: (f) => (timing.retries = readNonNegativeInt(f)),
      start_period: (f) => (timing.startPeriodMs = readDurationMs(f)),
      disable: (f) => (disabled = readBoolean(f) ?? false),
    },
    ['start_interval'],
  );
  if (!field.isMap()) return undefined;
  if (disabled) {
    if (testField && test !== 'none') testField.error("test and disable: true cannot be set at the same time");
    return 'none';
  }
  if (test === 'none') return 'none';
  if (!testField) {
    field.error("missing 'test' (Kelvin does not merge timings into the image's own check; write the test, or disable: true)");
    return undefined;
  }
  return test === undefined ? undefined : healthCheckOf(test, timing);
}

/** `[CMD, prog, args...]`, `[CMD-SHELL, command]`, `[NONE]`, or a string (= CMD-SHELL). */
function readTest(field: Field): string[] | 'none' | undefined {
  if (!field.isSeq()) {
    const command = readString(field);
    if (command === undefined) return undefined;
    if (command.trim() === '') field.error('empty test command');
    return command.trim() === '' ? undefined : ['CMD-SHELL', command];
  }
  const test = readStringList(field);
  if (test === undefined) return undefined;
  const [kind, ...rest] = test;
  if (kind === 'NONE') return 'none';
  if (kind === 'CMD' && rest.length > 0 && rest[0] !== '') return test;
  if (kind === 'CMD-SHELL' && rest.length === 1 && rest[0]?.trim() !== '') return test;
  if (kind === 'CMD') field.error("CMD needs a program to run: [CMD, program, arg, ...]");
  else if (kind === 'CMD-SHELL') field.error('CMD-SHELL takes exactly one shell command: [CMD-SHELL, command]');
  else field.error(`a test list starts with CMD, CMD-SHELL or NONE, not ${JSON.stringify(kind ?? '')}`);
  return undefined;
}
