/**
 * The keys a constraint can name and what each reads on a node. Prefixes compare
 * case-insensitively as in Swarm; label names keep their case, because labels are case-sensitive.
 */
import type { ConstraintSubject } from './subject.js';

export type NodeField = 'id' | 'hostname' | 'role' | 'os' | 'arch';
export type HwFact = keyof ConstraintSubject['hw'];
export type HwUnit = 'bytes' | 'count' | 'celsius';

export type KeyTarget =
  | { kind: 'field'; field: NodeField }
  | { kind: 'label'; scope: 'node' | 'engine'; name: string }
  | { kind: 'hw'; fact: HwFact; unit: HwUnit }
  /** `node.hw.device==/dev/video0`: the node reports that device. */
  | { kind: 'device' };

export type KeyResolution =
  | { ok: true; key: string; target: KeyTarget }
  /** `offset` is the 0-based index in the key of the part that is wrong. */
  | { ok: false; reason: string; offset: number };

// Maps, not object literals: a key such as `constructor` must not resolve through Object.prototype.
const FIELD_KEYS = new Map<string, NodeField>([
  ['node.id', 'id'],
  ['node.hostname', 'hostname'],
  ['node.role', 'role'],
  ['node.platform.os', 'os'],
  ['node.platform.arch', 'arch'],
]);

const LABEL_PREFIXES = { 'node.labels.': 'node', 'engine.labels.': 'engine' } as const;

const HW_PREFIX = 'node.hw.';
const DEVICE_KEY = 'node.hw.device';
const HW_KEYS = new Map<string, { fact: HwFact; unit: HwUnit }>([
  ['node.hw.cpu.cores', { fact: 'cpuCores', unit: 'count' }],
  ['node.hw.memory', { fact: 'memoryBytes', unit: 'bytes' }],
  ['node.hw.gpu.memory', { fact: 'gpuMemoryBytes', unit: 'bytes' }],
  ['node.hw.gpu.count', { fact: 'gpuCount', unit: 'count' }],
  ['node.hw.ambient', { fact: 'ambientC', unit: 'celsius' }],
]);

const KNOWN_KEYS = `${[...FIELD_KEYS.keys()].join(', ')}, node.labels.<name>, engine.labels.<name> or ${HW_PREFIX}*`;

/** Resolves a key to its canonical spelling (lower-case prefix, label name as written). */
export function resolveKey(key: string): KeyResolution {
  const lower = key.toLowerCase();
  const field = FIELD_KEYS.get(lower);
  if (field) return { ok: true, key: lower, target: { kind: 'field', field } };

  for (const [prefix, scope] of Object.entries(LABEL_PREFIXES)) {
    if (!lower.startsWith(prefix)) continue;
    const name = key.slice(prefix.length);
    if (name === '') return { ok: false, reason: `missing label name after '${prefix}'`, offset: prefix.length };
    return { ok: true, key: prefix + name, target: { kind: 'label', scope, name } };
  }

  if (lower === DEVICE_KEY) return { ok: true, key: lower, target: { kind: 'device' } };
  if (lower.startsWith(HW_PREFIX)) {
    const hw = HW_KEYS.get(lower);
    if (hw) return { ok: true, key: lower, target: { kind: 'hw', ...hw } };
    const known = [...HW_KEYS.keys(), DEVICE_KEY].join(', ');
    return { ok: false, reason: `unknown hardware key '${key}' (known: ${known})`, offset: HW_PREFIX.length };
  }

  return { ok: false, reason: `unknown key '${key}' (expected ${KNOWN_KEYS})`, offset: 0 };
}
