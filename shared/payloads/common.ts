import { z } from 'zod';

/** Every payload carries the wire version so a future v2 can be told apart at the boundary. */
export const wireVersion = z.literal(1);

/** Milliseconds since the Unix epoch. */
export const epochMs = z.number().int().nonnegative();

export const nodeId = z.string().regex(/^[a-z0-9-]{1,63}$/, 'node id: 1 to 63 lower-case letters, digits and -');

export const stringMap = z.record(z.string(), z.string());
