/** Building alert objects (shared/payloads/alert.ts) and the human bits of their messages. */
import { randomUUID } from 'node:crypto';
import type { Alert } from '../../shared/payloads/alert.js';

export function makeAlert(
  kind: Alert['kind'],
  severity: Alert['severity'],
  nodeId: string,
  message: string,
  at: number,
  details: Record<string, unknown>,
): Alert {
  return { v: 1, id: randomUUID(), kind, severity, nodeId, message, at, details };
}

/** `12 s`, `5 min`, `2 h`: whole units, seconds up to two minutes, minutes up to two hours. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 120) return `${min} min`;
  return `${Math.floor(min / 60)} h`;
}

/** `1 task`, `3 tasks`. */
export function countOf(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
