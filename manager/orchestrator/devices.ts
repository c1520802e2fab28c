/** A service's devices against a node: the first it maps that the node does not report, or null. */
import type { ConstraintSubject } from '../../shared/constraints/subject.js';
import type { ServiceSpec } from '../../shared/service-spec.js';

export function missingDevice(spec: ServiceSpec, node: ConstraintSubject): string | null {
  const present = node.devices ?? [];
  return spec.devices.find((d) => !present.includes(d.host))?.host ?? null;
}
