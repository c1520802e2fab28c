/**
 * `ports:` of a service, in both Compose syntaxes: short strings (`"8080:80"`, `"80"`,
 * `"8080:80/udp"`, ranges `"8000-8001:80-81"`) and long mappings (`target`, `published`,
 * `protocol`, `mode`). A host IP (`"127.0.0.1:8080:80"`, `host_ip:`) is an error on its line.
 */
import { portKey } from '../port-list.js';
import { hostIpRefusal, parsePortNumber, parseShortPorts } from '../port-syntax.js';
import type { ExposedPort, PublishedPort } from '../published-ports.js';
import type { Field } from './field.js';
import { readChoice, readString } from './read.js';
import { readSection, requireKeys } from './section.js';

export function readPorts(field: Field): PublishedPort[] {
  if (!field.isSeq()) {
    field.error('expected a list of ports such as `- "8080:80"` or `- target: 80`');
    return [];
  }
  const out: PublishedPort[] = [];
  const claimed = new Set<string>();
  for (const item of field.items()) {
    for (const port of item.isMap() ? readLongPort(item) : readShortPort(item)) {
      // Reported here, on the item's line (a range makes list positions differ from item positions).
      if (port.published !== 0 && claimed.has(portKey(port))) item.error(`port ${portKey(port)} is published twice`);
      else out.push(port);
      if (port.published !== 0) claimed.add(portKey(port));
    }
  }
  return out;
}

function readShortPort(field: Field): PublishedPort[] {
  const text = readString(field);
  if (text === undefined) return [];
  const parsed = parseShortPorts(text);
  if (parsed.ok) return parsed.value;
  field.error(parsed.error);
  return [];
}

function readPortNumber(field: Field, what: string): number | undefined {
  const text = readString(field);
  if (text === undefined) return undefined;
  const parsed = parsePortNumber(text.trim(), what);
  if (parsed.ok) return parsed.value;
  field.error(parsed.error);
  return undefined;
}

function readLongPort(field: Field): PublishedPort[] {
  const port: PublishedPort = { published: 0, target: 0, protocol: 'tcp', mode: 'ingress' };
  let ok = true;
  const set = <K extends keyof PublishedPort>(key: K, value: PublishedPort[K] | undefined): void => {
    if (value === undefined) ok = false;
    else port[key] = value;
  };
  readSection(
    field,
    {
      target: (f) => set('target', readPortNumber(f, 'target port')),
      published: (f) => set('published', readPortNumber(f, 'published port')),
      protocol: (f) => set('protocol', readChoice(f, 'protocol', ['tcp', 'udp'] as const)),
      mode: (f) => set('mode', readChoice(f, 'mode', ['ingress', 'host'] as const)),
      host_ip: (f) => {
        ok = false;
        f.error(hostIpRefusal(readString(f) ?? '', 'leave host_ip out'));
      },
    },
    ['name', 'app_protocol'],
  );
  return requireKeys(field, ['target']) && ok ? [port] : [];
}

/** `expose:` of a service: `"8080"`, `"8080/udp"`, `"8000-8002"` (or numbers): targets reachable by name, not published. */
export function readExpose(field: Field): ExposedPort[] {
  if (!field.isSeq()) {
    field.error('expected a list of ports such as `- "8080"`');
    return [];
  }
  const out = new Map<string, ExposedPort>();
  for (const item of field.items()) {
    const text = readString(item);
    if (text === undefined) continue;
    const parsed = /^[\d-]+(\/\w+)?$/.test(text.trim()) ? parseShortPorts(text.trim()) : null;
    if (!parsed?.ok) {
      item.error(parsed ? parsed.error : `'${text}' is not PORT[/PROTOCOL] or a range (expose names target ports; publish with ports:)`);
      continue;
    }
    for (const { target, protocol } of parsed.value) out.set(`${target}/${protocol}`, { target, protocol });
  }
  return [...out.values()];
}
