/** Devices and image platforms in placement: where work that needs a device or an architecture goes, and when it moves. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ImagePlatform } from '../../../shared/image-platform.js';
import { Store } from '../../../manager/store/store.js';
import { join } from 'node:path';
import { factsFor, Harness, spec } from './harness.js';

let h: Harness;
beforeEach(() => {
  h = new Harness();
});
afterEach(() => h.close());

const serial = { host: '/dev/ttyUSB0', container: '/dev/ttyUSB0', permissions: 'rwm' };
const nodesOf = (ref: string): string[] => h.live(ref).map((t) => t.nodeId ?? '-').sort();

function reject(nodeId: string, taskId: string, error: string, imagePlatforms?: ImagePlatform[]): void {
  h.dispatcher.handle({
    scope: 'node',
    nodeId,
    kind: 'task-status',
    payload: {
      v: 1,
      taskId,
      generation: 1,
      state: 'rejected',
      exitCode: null,
      signal: null,
      error,
      message: 'rejected: prepare failed',
      runtimeId: null,
      throttled: false,
      ts: h.clock.now(),
      startedAt: null,
      finishedAt: h.clock.now(),
      ...(imagePlatforms ? { imagePlatforms } : {}),
    },
  });
}

const amd64 = { os: 'linux', arch: 'amd64' };
const ppc = { os: 'linux', arch: 'ppc64le' };
const noAffinity = { constraints: [], preferences: [], maxReplicasPerNode: 1 };

/** A service of `image` with a task on `arm` (of nodes `arm` and `x86`), rejected there with the image's platforms. */
function rejectedOnArm(name: string, image: string, platforms: ImagePlatform[] | undefined, error = `image ${image} is linux/amd64, linux/ppc64le; this board is linux/arm64`): void {
  h.cluster.createService(spec(name, { image, replicas: 2, placement: noAffinity }));
  h.settle();
  const onArm = h.live(name).find((t) => t.nodeId === 'arm');
  if (!onArm) throw new Error('expected a task on arm');
  reject('arm', onArm.id, error, platforms);
  h.settle(6_000); // the restart delay
}

const pendingReasons = (name: string): string[] => h.live(name).filter((t) => t.state === 'pending').map((t) => t.message);

describe('devices', () => {
  it('places a service that maps a device only on the node that has it, and says so when none has it', () => {
    h.addNode('a', { devices: ['/dev/ttyUSB0', '/dev/video0'] });
    h.addNode('b');
    h.addNode('c', { devices: ['/dev/video0'] });
    h.cluster.createService(spec('gps', { replicas: 2, devices: [serial] }));
    h.cluster.createService(spec('cam', { devices: [{ ...serial, host: '/dev/video9', container: '/dev/video0' }] }));
    h.settle();
    expect(nodesOf('gps')).toEqual(['a', 'a']);
    expect(h.live('cam').map((t) => [t.state, t.message])).toEqual([['pending', 'no suitable node (no node has /dev/video9 (3 nodes))']]);
  });

  it('moves the tasks of a node whose device disappeared, with an event', () => {
    h.addNode('a', { devices: ['/dev/ttyUSB0'] });
    h.addNode('b');
    h.cluster.createService(spec('gps', { devices: [serial] }));
    h.settle();
    h.runAll();
    expect(nodesOf('gps')).toEqual(['a']);
    h.inventory.handle({ scope: 'node', nodeId: 'b', kind: 'facts', payload: factsFor('b', { devices: ['/dev/ttyUSB0'] }) });
    h.inventory.handle({ scope: 'node', nodeId: 'a', kind: 'facts', payload: factsFor('a', { devices: [] }) });
    h.settle();
    h.runAll('b');
    h.settle();
    expect(nodesOf('gps')).toEqual(['b']);
    const moves = h.store.listEvents().filter((e) => e.kind === 'task.move');
    expect(moves.map((e) => e.message)).toEqual([expect.stringMatching(/^task \S+ of gps moves off node a: node a-host no longer has \/dev\/ttyUSB0$/)]);
  });

  it('matches node.hw.device constraints, fail-closed for a node that reports no devices', () => {
    h.addNode('a', { devices: ['/dev/video0'] });
    h.addNode('old'); // an agent from before device facts
    h.cluster.createService(spec('cam', { replicas: 2, placement: { constraints: ['node.hw.device==/dev/video0'], preferences: [], maxReplicasPerNode: 0 } }));
    h.cluster.createService(spec('nocam', { replicas: 2, placement: { constraints: ['node.hw.device!=/dev/video0'], preferences: [], maxReplicasPerNode: 0 } }));
    h.settle();
    expect(nodesOf('cam')).toEqual(['a', 'a']);
    expect(nodesOf('nocam')).toEqual(['old', 'old']);
  });
});

describe('image platforms', () => {
  beforeEach(() => {
    h.addNode('arm', { arch: 'aarch64' });
    h.addNode('x86', { arch: 'x86_64' });
  });

  it('stops offering an image to boards of an architecture once one of them reported the platforms it has', () => {
    rejectedOnArm('app', 'example/amd64-only:1', [amd64, ppc]);
    expect(pendingReasons('app')).toEqual([expect.stringContaining('unsupported platform on 1 node')]);
    expect(h.live('app').filter((t) => t.nodeId === 'arm' && t.state !== 'rejected')).toEqual([]);
  });

  it('forgets them on a forced update, which offers the image to every board again', () => {
    rejectedOnArm('app', 'example/amd64-only:1', [amd64]);
    h.cluster.updateService('app', { force: true });
    h.settle(6_000);
    expect(h.store.imagePlatforms().size).toBe(0);
    expect(pendingReasons('app')).toEqual([]);
    expect(h.live('app').filter((t) => t.state !== 'rejected').map((t) => t.nodeId).sort()).toEqual(['arm', 'x86']);
  });

  it('remembers the platforms after the rejected task is gone and the manager restarted', () => {
    rejectedOnArm('app', 'example/amd64-only:1', [amd64]);
    h.cluster.removeService('app');
    h.settle();
    for (const t of h.store.listTasks()) h.store.deleteTask(t.id);
    const reopened = Store.open(join(h.dir, 'kelvin.db'));
    expect(reopened.imagePlatforms().get('example/amd64-only:1')).toEqual([amd64]);
    reopened.close();
    h.restartManager(0);
    h.cluster.createService(spec('again', { image: 'example/amd64-only:1', replicas: 2, placement: noAffinity }));
    h.settle();
    expect(pendingReasons('again')).toEqual([expect.stringContaining('unsupported platform on 1 node')]);
  });

  it('learns nothing from the error text alone, and a board speaks only for the image it was asked to run', () => {
    rejectedOnArm('app', 'example/multi:1', undefined, 'image example/multi:1 is linux/amd64, this board is linux/arm64');
    rejectedOnArm('other', 'example/other:1', [amd64]);
    expect(h.store.imagePlatforms()).toEqual(new Map([['example/other:1', [amd64]]]));
    expect(h.live('app').filter((t) => t.state !== 'rejected').map((t) => t.nodeId).sort()).toEqual(['arm', 'x86']);
  });

  it('adds what a later rejection reports to what was known of the image', () => {
    rejectedOnArm('app', 'example/amd64-only:1', [amd64]);
    const again = h.live('app').find((t) => t.state !== 'rejected');
    if (!again) throw new Error('expected a live task');
    h.store.updateTask(again.id, { nodeId: 'arm', state: 'assigned' }); // as if a board of that platform had it
    reject('arm', again.id, 'image example/amd64-only:1 is linux/ppc64le, this board is linux/arm64', [ppc]);
    expect(h.store.imagePlatformsOf('example/amd64-only:1')).toEqual([amd64, ppc]);
  });

  it('ignores platforms reported for a task that is not the reporting board\'s', () => {
    h.cluster.createService(spec('app', { image: 'example/multi:1', placement: { ...noAffinity, constraints: ['node.platform.arch==x86_64'] } }));
    h.settle();
    const task = h.live('app')[0];
    if (!task) throw new Error('expected a task');
    reject('arm', task.id, 'image example/multi:1 is linux/ppc64le, this board is linux/arm64', [ppc]);
    expect(h.store.imagePlatforms().size).toBe(0);
  });
});
