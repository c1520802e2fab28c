/**
 * The text forms of a published port, shared by `--publish` and compose `ports`:
 * short `[PUBLISHED:]TARGET[/PROTOCOL]` with ranges (`8000-8001:80-81`), and the CLI's long
 * `published=8080,target=80[,protocol=udp][,mode=host]`. A host IP (`127.0.0.1:8080:80`) is refused:
 * a Kelvin port is published by the cluster (every board, or the task's board), not on one address.
 */
import { MAX_PUBLISHED_PORTS } from './limits.js';
import type { PublishedPort } from './published-ports.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const PROTOCOLS = ['tcp', 'udp'] as const;
const MODES = ['ingress', 'host'] as const;

export const SHORT_FORM = '[PUBLISHED:]TARGET[/PROTOCOL]';
export const LONG_FORM = 'published=PORT,target=PORT[,protocol=tcp|udp][,mode=ingress|host]';

class PortSyntaxError extends Error {}

function fail(message: string): never {
  throw new PortSyntaxError(message);
}

function port(text: string, what: string): number {
  if (!/^\d{1,5}$/.test(text)) fail(`${what} '${text}' is not a port number`);
  const n = Number(text);
  if (n < 1 || n > 65535) fail(`${what} ${n} is out of range (1-65535)`);
  return n;
}

/** A port number written on its own (compose's long syntax), checked as the short forms are. */
export function parsePortNumber(text: string, what: string): Parsed<number> {
  return attempt(() => port(text, what));
}

/** `80` or `80-81` to the list of ports it names. */
function portRange(text: string, what: string): number[] {
  const dash = text.indexOf('-');
  if (dash < 0) return [port(text, what)];
  const first = port(text.slice(0, dash), what);
  const last = port(text.slice(dash + 1), what);
  if (last < first) fail(`${what} range '${text}' runs backwards`);
  const count = last - first + 1;
  if (count > MAX_PUBLISHED_PORTS) fail(`${what} range '${text}' has ${count} ports, over the limit of ${MAX_PUBLISHED_PORTS} published ports`);
  return Array.from({ length: count }, (_, i) => first + i);
}

function choice<T extends string>(text: string, what: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(text)) fail(`${what} '${text}' is not one of ${choices.join(', ')}`);
  return text as T;
}

function protocolOf(text: string): PublishedPort['protocol'] {
  return choice(text.toLowerCase(), 'protocol', PROTOCOLS);
}

function modeOf(text: string): PublishedPort['mode'] {
  return choice(text, 'mode', MODES);
}

/** Why a host address cannot be part of a cluster-wide port. */
export function hostIpRefusal(ip: string, advice: string): string {
  return `a host IP (${ip}) makes no sense cluster-wide: a published port listens on the boards themselves (every ready board for mode ingress, the task's board for mode host); ${advice}`;
}

function parseShortOrThrow(text: string): PublishedPort[] {
  const slash = text.lastIndexOf('/');
  const protocol = slash < 0 ? 'tcp' : protocolOf(text.slice(slash + 1));
  const body = slash < 0 ? text : text.slice(0, slash);
  // `[IP:][PUBLISHED:]TARGET`: the last colon separates the target, and whatever comes before a
  // second colon (or a dotted/bracketed address) is a host IP.
  const parts = body.startsWith('[') ? [body.slice(0, body.indexOf(']') + 1), ...body.slice(body.indexOf(']') + 2).split(':')] : body.split(':');
  const targetText = parts.at(-1) ?? '';
  const front = parts.length >= 2 ? (parts.at(-2) ?? '') : '';
  if (parts.length > 2 || /[.[\]]/.test(front)) {
    const ip = parts.length > 2 ? parts.slice(0, -2).join(':') : front;
    const rest = `${parts.length > 2 && front ? `${front}:` : ''}${targetText}${slash < 0 ? '' : text.slice(slash)}`;
    fail(hostIpRefusal(ip, `write '${rest}'`));
  }
  if (targetText === '') fail(`'${text}' has no target port (write ${SHORT_FORM}, e.g. 8080:80)`);
  const targets = portRange(targetText, 'target port');
  if (front === '') return targets.map((target) => ({ published: 0, target, protocol, mode: 'ingress' }));
  const published = portRange(front, 'published port');
  if (published.length !== targets.length) {
    fail(`published range '${front}' has ${published.length} port${published.length === 1 ? '' : 's'} but target '${targetText}' has ${targets.length}`);
  }
  return targets.map((target, i) => ({ published: published[i] ?? 0, target, protocol, mode: 'ingress' }));
}

function parseLongOrThrow(text: string): PublishedPort {
  const out: Partial<PublishedPort> = {};
  for (const item of text.split(',')) {
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq).trim().toLowerCase();
    const value = eq < 0 ? '' : item.slice(eq + 1).trim();
    if (eq < 0 || value === '') fail(`'${item}' is not KEY=VALUE (keys: published, target, protocol, mode)`);
    if (key === 'published') out.published = port(value, 'published port');
    else if (key === 'target') out.target = port(value, 'target port');
    else if (key === 'protocol') out.protocol = protocolOf(value);
    else if (key === 'mode') out.mode = modeOf(value);
    else fail(`unknown key '${key}' (keys: published, target, protocol, mode)`);
  }
  if (out.target === undefined) fail('target= is required (the port inside the task)');
  return { published: out.published ?? 0, target: out.target, protocol: out.protocol ?? 'tcp', mode: out.mode ?? 'ingress' };
}

function attempt<T>(fn: () => T): Parsed<T> {
  try {
    return { ok: true, value: fn() };
  } catch (err) {
    if (err instanceof PortSyntaxError) return { ok: false, error: err.message };
    throw err;
  }
}

/** Compose's short syntax: `"80"`, `"8080:80"`, `"8080:80/udp"`, `"8000-8001:80-81"`. */
export function parseShortPorts(text: string): Parsed<PublishedPort[]> {
  return attempt(() => parseShortOrThrow(text.trim()));
}

/** `--publish` in either form; the long one is told apart by its `=`. */
export function parsePublishFlag(text: string): Parsed<PublishedPort[]> {
  return attempt(() => (text.includes('=') ? [parseLongOrThrow(text)] : parseShortOrThrow(text.trim())));
}
