import { z } from 'zod';
import { epochMs, wireVersion } from './common.js';

export const ALERT_KINDS = [
  'thermal.throttle',
  'thermal.failover',
  'thermal.recovered',
  'thermal.no-target',
  'power.undervoltage',
  'power.recovered',
  'node.down',
  'node.reboot',
  'node.brownout',
  'node.flapping',
  'node.hostname-conflict',
  'manager.disk-full',
  'manager.disk-recovered',
  'service.update-paused',
  'service.rolled-back',
] as const;

/** Manager -> anyone on the `alerts` topic, one per state transition. */
export const alert = z.object({
  v: wireVersion,
  id: z.string(),
  kind: z.enum(ALERT_KINDS),
  severity: z.enum(['info', 'warning', 'critical']),
  nodeId: z.string().nullable(),
  message: z.string(),
  at: epochMs,
  details: z.record(z.string(), z.unknown()),
});
export type Alert = z.infer<typeof alert>;
