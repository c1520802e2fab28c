/**
 * Separate network namespaces for e2e tests: `count` board namespaces and a switch namespace whose
 * bridge joins them and this (root) namespace, each over a veth pair, on 198.18.N.0/24 (RFC 2544's
 * benchmarking range, which no real network uses; this side .1, boards .11, .12, ...). The bridge lives in its own namespace so the host's firewall (Docker
 * sets FORWARD to DROP, and bridged frames pass it when br_netfilter is loaded) never sees the
 * boards' traffic to each other. Null when namespaces cannot be made here (not root, no `ip`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Absolute: agents run with a fixture board's PATH. */
export const IP_BIN = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].find((p) => existsSync(p)) ?? 'ip';

export interface TestNetwork {
  /** This namespace's address on the network (where the manager listens). */
  hostAddr: string;
  boards: Array<{ ns: string; addr: string }>;
  remove(): void;
}

function ip(...args: string[]): void {
  execFileSync(IP_BIN, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

export function createTestNetwork(count: number): TestNetwork | null {
  const tag = (process.pid % 100_000).toString(36);
  const subnet = `198.18.${process.pid % 250}`;
  const sw = `kms-${tag}`;
  const hostVeth = `kmh${tag}`;
  const boards = Array.from({ length: count }, (_, i) => ({ ns: `kmn-${tag}-${i}`, addr: `${subnet}.${11 + i}` }));
  const remove = (): void => {
    for (const name of [...boards.map((b) => b.ns), sw]) {
      try {
        ip('netns', 'del', name);
      } catch {
        // not made
      }
    }
    try {
      ip('link', 'del', hostVeth);
    } catch {
      // gone with the switch namespace
    }
  };
  try {
    ip('netns', 'add', sw);
    ip('-n', sw, 'link', 'add', 'br0', 'type', 'bridge');
    ip('-n', sw, 'link', 'set', 'br0', 'up');
    ip('link', 'add', hostVeth, 'type', 'veth', 'peer', 'name', 'up0', 'netns', sw);
    ip('-n', sw, 'link', 'set', 'up0', 'master', 'br0', 'up');
    ip('addr', 'add', `${subnet}.1/24`, 'dev', hostVeth);
    ip('link', 'set', hostVeth, 'up');
    boards.forEach((b, i) => {
      ip('netns', 'add', b.ns);
      ip('-n', sw, 'link', 'add', `p${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', b.ns);
      ip('-n', sw, 'link', 'set', `p${i}`, 'master', 'br0', 'up');
      ip('-n', b.ns, 'addr', 'add', `${b.addr}/24`, 'dev', 'eth0');
      ip('-n', b.ns, 'link', 'set', 'eth0', 'up');
      ip('-n', b.ns, 'link', 'set', 'lo', 'up');
    });
    return { hostAddr: `${subnet}.1`, boards, remove };
  } catch {
    remove();
    return null;
  }
}
