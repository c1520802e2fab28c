/**
 * A service's list of published ports, bounded, with Swarm's rule that one service publishes a
 * port number and protocol at most once (`EndpointSpec: duplicate published ports provided`).
 */
import { z } from 'zod';
import { MAX_PUBLISHED_PORTS } from './limits.js';
import { exposedPort, publishedPort, type PublishedPort } from './published-ports.js';

/** `8080/tcp`: what two services (or two entries) must not both claim. */
export function portKey(port: Pick<PublishedPort, 'published' | 'protocol'>): string {
  return `${port.published}/${port.protocol}`;
}

/** The keys of the ports published on the task's own board (mode host): a node resource for the scheduler. */
export function hostPortKeys(ports: readonly PublishedPort[]): string[] {
  return ports.filter((p) => p.mode === 'host' && p.published !== 0).map(portKey);
}

export const publishedPorts = z
  .array(publishedPort)
  .max(MAX_PUBLISHED_PORTS, `over the limit of ${MAX_PUBLISHED_PORTS} published ports`)
  .superRefine((ports, ctx) => {
    const seen = new Set<string>();
    for (const [i, port] of ports.entries()) {
      if (port.published === 0) continue; // to be assigned: never a duplicate
      const key = portKey(port);
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [i, 'published'], message: `port ${key} is published twice` });
      seen.add(key);
    }
  });

/** A service's `expose` ports: bounded like published ones, each target and protocol once. */
export const exposedPorts = z
  .array(exposedPort)
  .max(MAX_PUBLISHED_PORTS, `over the limit of ${MAX_PUBLISHED_PORTS} exposed ports`)
  .superRefine((ports, ctx) => {
    const seen = new Set<string>();
    for (const [i, port] of ports.entries()) {
      const key = `${port.target}/${port.protocol}`;
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [i, 'target'], message: `port ${key} is exposed twice` });
      seen.add(key);
    }
  });
