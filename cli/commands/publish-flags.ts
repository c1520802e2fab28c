/**
 * `--publish` (`-p`) on `service create`, `--publish-add`/`--publish-rm` on `service update`, as
 * Docker has them: `-p 8080:80`, `-p 80` (the manager picks the published port), `-p 8080:80/udp`,
 * ranges, and `published=8080,target=80,protocol=udp,mode=host`. Each bad value is one UsageError
 * naming the flag and the value.
 */
import { portKey } from '../../shared/port-list.js';
import { LONG_FORM, parsePublishFlag, SHORT_FORM } from '../../shared/port-syntax.js';
import type { PublishedPort } from '../../shared/published-ports.js';
import { UsageError } from '../errors.js';
import { formatPorts } from '../format/ports.js';

/** Every value of a repeatable port flag, expanded, with no port number+protocol given twice. */
export function publishFlag(flag: string, values: readonly string[]): PublishedPort[] {
  const out: PublishedPort[] = [];
  const given = new Map<string, string>();
  for (const text of values) {
    const parsed = parsePublishFlag(text);
    if (!parsed.ok) throw new UsageError(`${flag}: '${text}': ${parsed.error} (write ${SHORT_FORM} or ${LONG_FORM})`);
    for (const port of parsed.value) {
      const earlier = port.published === 0 ? undefined : given.get(portKey(port));
      if (earlier !== undefined) throw new UsageError(`${flag}: port ${portKey(port)} is published twice ('${earlier}' and '${text}')`);
      if (port.published !== 0) given.set(portKey(port), text);
      out.push(port);
    }
  }
  return out;
}

/** What `service update --publish-add/--publish-rm` take. */
export interface PublishUpdateFlags {
  publishAdd: string[];
  publishRm: string[];
}

/** Docker matches `--publish-rm` by target port, protocol and mode: `--publish-rm 80`, `--publish-rm 8080:80`. */
const sameTarget = (a: PublishedPort, b: PublishedPort): boolean => a.target === b.target && a.protocol === b.protocol && a.mode === b.mode;

/**
 * The service's ports after `--publish-rm` (first) and `--publish-add`. Unlike Docker, a removal
 * that matches nothing is an error rather than a silent no-op, and an added port the service already
 * publishes for another target is refused here instead of as a duplicate by the manager.
 */
export function withPublishChanges(current: readonly PublishedPort[], flags: PublishUpdateFlags): PublishedPort[] {
  let ports = [...current];
  for (const text of flags.publishRm) {
    for (const gone of publishFlag('--publish-rm', [text])) {
      if (!ports.some((p) => sameTarget(p, gone))) {
        const has = ports.length === 0 ? 'it publishes none' : `it publishes ${formatPorts(ports)}`;
        throw new UsageError(`--publish-rm: '${text}' matches no published port (target ${gone.target}/${gone.protocol}, mode ${gone.mode}); ${has}`);
      }
      ports = ports.filter((p) => !sameTarget(p, gone));
    }
  }
  for (const added of publishFlag('--publish-add', flags.publishAdd)) {
    const same = ports.find((p) => added.published !== 0 && portKey(p) === portKey(added));
    if (same && sameTarget(same, added)) continue; // already published as asked
    if (same) throw new UsageError(`--publish-add: port ${portKey(added)} is already published (${formatPorts([same])}); remove it with --publish-rm first`);
    ports.push(added);
  }
  return ports;
}
