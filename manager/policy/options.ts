/** Policy engine settings, parsed once with zod; a bad value throws one line naming the option. */
import { z } from 'zod';
import { parseOptionsOrThrow } from '../../shared/zod-issue.js';

const fn = <T>(what: string) => z.custom<T>((v) => typeof v === 'function', `${what} must be a function`);
const durationMs = (fallback: number) => z.number().int().nonnegative().default(fallback);

export const policyOptions = z
  .object({
    /** Epoch ms; injected so every timing rule is testable without waiting. */
    now: fn<() => number>('now'),
    /** Cooling must hold below (threshold - hysteresis) this long before the state steps down. */
    holdMs: durationMs(10_000),
    /** `--thermal-sustain`: a node still hot after this long has its movable tasks migrated. */
    sustainMs: durationMs(10_000),
    /** `--power-stable`: clean time after the last under-voltage before the node takes work again. */
    powerStableMs: durationMs(300_000),
    /** `flapCount` unclean drops within `flapWindowMs` quarantine a node. */
    flapWindowMs: z.number().int().positive().default(600_000),
    flapCount: z.number().int().min(2).default(3),
    /** First quarantine; each further drop while flapping doubles it, up to the max. */
    quarantineBaseMs: z.number().int().positive().default(60_000),
    quarantineMaxMs: z.number().int().positive().default(3_600_000),
    /** Tasks on a node, for alert messages (`throttling 3 tasks`); without it they say `its tasks`. */
    tasksOnNode: fn<(nodeId: string) => number>('tasksOnNode').optional(),
  })
  .refine((o) => o.quarantineMaxMs >= o.quarantineBaseMs, {
    message: 'must be at least quarantineBaseMs',
    path: ['quarantineMaxMs'],
  });

export type PolicyOptions = z.input<typeof policyOptions>;
export type ParsedPolicyOptions = z.output<typeof policyOptions>;

export function parsePolicyOptions(input: PolicyOptions): ParsedPolicyOptions {
  return parseOptionsOrThrow(policyOptions, input, 'policy');
}
