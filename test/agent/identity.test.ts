import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadOrCreateIdentity, nodeIdFromHostname, readNodeId } from '../../agent/identity.js';
import { isValidNodeId } from '../../shared/topics.js';

describe('nodeIdFromHostname', () => {
  it.each([
    ['raspberrypi', 'raspberrypi'],
    ['Jetson_Orin.local', 'jetson-orin'],
    ['GPU Box #2', 'gpu-box-2'],
    ['--weird--', 'weird'],
    ['', 'node'],
    ['!!!', 'node'],
  ])('%j -> %j', (host, id) => {
    expect(nodeIdFromHostname(host)).toBe(id);
  });

  it('keeps long hostnames within the node id limit', () => {
    const id = nodeIdFromHostname('a'.repeat(100));
    expect(id).toHaveLength(63);
    expect(isValidNodeId(id)).toBe(true);
  });
});

describe('loadOrCreateIdentity', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kelvin-identity-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('makes a node id from the hostname with a random suffix, and a private secret', () => {
    const stateDir = join(dir, 'state');
    const identity = loadOrCreateIdentity(stateDir, 'Pi-Kitchen');
    expect(identity.nodeId).toMatch(/^pi-kitchen-[0-9a-f]{4}$/);
    expect(identity.nodeSecret.length).toBeGreaterThanOrEqual(32);
    expect(statSync(join(stateDir, 'node-secret')).mode & 0o777).toBe(0o600);
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);
  });

  it('returns the same identity on every later start, even if the hostname changed', () => {
    const first = loadOrCreateIdentity(dir, 'pi-one');
    const again = loadOrCreateIdentity(dir, 'renamed-host');
    expect(again).toEqual(first);
    expect(readNodeId(dir)).toBe(first.nodeId);
  });

  it('two boards flashed with the same hostname get different ids', () => {
    const a = loadOrCreateIdentity(join(dir, 'a'), 'raspberrypi');
    const b = loadOrCreateIdentity(join(dir, 'b'), 'raspberrypi');
    expect(a.nodeId).not.toBe(b.nodeId);
    expect(a.nodeSecret).not.toBe(b.nodeSecret);
  });

  it('reads no node id before the first start', () => {
    expect(readNodeId(dir)).toBeNull();
  });

  it('names the file when the stored node id is corrupt', () => {
    writeFileSync(join(dir, 'node-id'), 'Not A Valid Id\n');
    expect(() => loadOrCreateIdentity(dir, 'pi')).toThrow(`${join(dir, 'node-id')}: 'Not A Valid Id' is not a valid node id`);
  });

  it('tightens a secret file that was left world-readable', () => {
    loadOrCreateIdentity(dir, 'pi');
    chmodSync(join(dir, 'node-secret'), 0o644);
    const identity = loadOrCreateIdentity(dir, 'pi');
    expect(statSync(join(dir, 'node-secret')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'node-secret'), 'utf8').trim()).toBe(identity.nodeSecret);
  });
});
