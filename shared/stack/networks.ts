/**
 * Compose `networks`, as isolation hints: Kelvin creates no networks (no overlay), but services
 * of a stack reach each other by name only when they share one (manager/mesh/service-names.ts).
 * Top level: the names a stack defines (`default` always exists); their options are not acted on.
 * Service level: a list of names, or a mapping of names to options (aliases and addresses are not
 * acted on either); a name not defined at the top level is an error, as in Compose.
 */
import { DEFAULT_NETWORK } from '../service-spec.js';
import type { Field } from './field.js';
import { readString } from './read.js';

/** Options written for a network (`front: {}` and `front:` have none). */
const hasOptions = (f: Field): boolean => !f.isNull() && !(f.isMap() && f.entries().length === 0);

const NOT_ACTED_ON = "ignored: Kelvin creates no networks; a network only decides which of the stack's services reach each other by name";

/** The network names the top-level `networks:` defines. */
export function readTopLevelNetworks(field: Field): Set<string> {
  const names = new Set<string>([DEFAULT_NETWORK]);
  if (field.isNull()) return names;
  if (!field.isMap()) {
    field.error('expected a mapping of network names to their options');
    return names;
  }
  for (const [name, options] of field.entries()) {
    names.add(name);
    if (hasOptions(options)) options.warn(NOT_ACTED_ON);
  }
  return names;
}

/** A service's `networks:` as written (names in order); options per network are warned about. */
export function readServiceNetworks(field: Field): string[] {
  if (field.isSeq()) return field.items().flatMap((item) => readString(item) ?? []);
  if (!field.isMap()) {
    field.error('expected a list of network names, or a mapping of names to options');
    return [];
  }
  return field.entries().map(([name, options]) => {
    if (hasOptions(options)) options.warn('ignored: Kelvin does not act on per-network options (aliases, addresses)');
    return name;
  });
}

/** Errors on the `networks:` of each service naming a network the stack does not define. */
export function checkServiceNetworks(read: Array<{ networks: string[]; field: Field }>, defined: Set<string>): void {
  for (const { networks, field } of read) {
    const at = field.isMap() ? (field.entries().find(([k]) => k === 'networks')?.[1] ?? field) : field;
    for (const name of networks) if (!defined.has(name)) at.error(`network '${name}' is not defined under the top-level networks:`);
  }
}
