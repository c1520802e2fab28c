/**
 * CA pinning against real TLS servers: the agent takes the CA the token names from the presented
 * chain and stores it, reuses a stored one without probing, and refuses a chain from another CA.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { brokerCa, CaMismatchError, PINNED_CA_FILE } from '../../agent/broker-ca.js';
import { newJoinToken } from '../../manager/broker/secrets.js';
import { issueServerTls, type ServerTls } from '../../manager/tls/cluster-tls.js';
import { silentLogger } from '../../shared/logger.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const fn of cleanups.splice(0)) fn();
});

function temp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kelvin-pin-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function tlsServer(material: ServerTls): Promise<string> {
  const server: Server = createServer({ cert: material.cert, key: material.key }, (s) => s.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => server.close());
  return `mqtts://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('brokerCa', () => {
  it('pins the CA the token names from the chain, stores it, and uses the stored one after', async () => {
    const cluster = issueServerTls(temp(), ['127.0.0.1']);
    const broker = await tlsServer(cluster);
    const stateDir = temp();
    const token = newJoinToken(cluster.ca.digest);
    const ca = await brokerCa({ broker, token, caFile: null, stateDir, logger: silentLogger() });
    expect(ca?.toString()).toBe(cluster.ca.certPem);
    expect(readFileSync(join(stateDir, PINNED_CA_FILE), 'utf8')).toBe(cluster.ca.certPem);
    // No broker needed once pinned.
    const offline = await brokerCa({ broker: 'mqtts://127.0.0.1:1', token, caFile: null, stateDir, logger: silentLogger() });
    expect(offline?.toString()).toBe(cluster.ca.certPem);
  });

  it("refuses a broker whose chain is another CA's, and stores nothing", async () => {
    const ours = issueServerTls(temp(), ['127.0.0.1']);
    const theirs = issueServerTls(temp(), ['127.0.0.1']);
    const broker = await tlsServer(theirs);
    const stateDir = temp();
    const pin = brokerCa({ broker, token: newJoinToken(ours.ca.digest), caFile: null, stateDir, logger: silentLogger() });
    await expect(pin).rejects.toBeInstanceOf(CaMismatchError);
    await expect(pin).rejects.toThrow(`broker certificate does not match the join token's CA digest (broker 127.0.0.1:`);
    expect(existsSync(join(stateDir, PINNED_CA_FILE))).toBe(false);
  });

  it('a stored CA of another cluster is pinned again, not trusted', async () => {
    const cluster = issueServerTls(temp(), ['127.0.0.1']);
    const other = issueServerTls(temp(), ['127.0.0.1']);
    const stateDir = temp();
    writeFileSync(join(stateDir, PINNED_CA_FILE), other.ca.certPem);
    const ca = await brokerCa({ broker: await tlsServer(cluster), token: newJoinToken(cluster.ca.digest), caFile: null, stateDir, logger: silentLogger() });
    expect(ca?.toString()).toBe(cluster.ca.certPem);
  });

  it('--ca wins; plain mqtt:// and a token without a digest need no CA', async () => {
    const dir = temp();
    const file = join(dir, 'ca.pem');
    writeFileSync(file, 'PEM');
    const base = { token: 'KLV-1-OLD', stateDir: dir, logger: silentLogger() };
    expect((await brokerCa({ ...base, broker: 'mqtts://127.0.0.1:1', caFile: file }))?.toString()).toBe('PEM');
    expect(await brokerCa({ ...base, broker: 'mqtt://127.0.0.1:1', caFile: null })).toBeNull();
    expect(await brokerCa({ ...base, broker: 'mqtts://127.0.0.1:1', caFile: null })).toBeNull();
  });
});
