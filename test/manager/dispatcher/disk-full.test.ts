/**
 * A changed desired set whose new generation a full disk refuses is held back (a generation the
 * manager forgets would go backwards after a restart) and sent once the disk takes writes again.
 * The store is a real SQLite file on a real, small tmpfs.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Cluster } from '../../../manager/cluster.js';
import { Dispatcher } from '../../../manager/dispatcher/dispatcher.js';
import { systemClock } from '../../../manager/options.js';
import { newTask } from '../../../manager/orchestrator/task-factory.js';
import { Store } from '../../../manager/store/store.js';
import { silentLogger } from '../../../shared/logger.js';
import type { DesiredTaskSet, TaskSpec } from '../../../shared/payloads/tasks.js';
import { mountSmallTmpfs, type SmallTmpfs } from '../../helpers/small-tmpfs.js';
import { spec } from '../orchestrator/harness.js';

const mounted = mountSmallTmpfs();
if ('skip' in mounted) console.warn(`skipping the disk-full dispatcher test: ${mounted.skip}`);

describe.skipIf('skip' in mounted)('Dispatcher on a full data disk', () => {
  const disk = mounted as SmallTmpfs;
  afterAll(() => disk.unmount());

  it('holds back a changed set it cannot number durably, and sends it when the disk recovers', () => {
    const store = Store.open(join(disk.dir, 'kelvin.db'));
    try {
      store.registerNode('a', { secretHash: 'x', mosquittoHash: null }, 'worker');
      const service = new Cluster(store, systemClock).createService(spec('web'));
      let throttle: TaskSpec['throttle'] = null;
      const sent: DesiredTaskSet[] = [];
      const dispatcher = new Dispatcher({
        store,
        clock: systemClock,
        logger: silentLogger(),
        publish: async (_topic, payload) => void sent.push(JSON.parse(payload.toString()) as DesiredTaskSet),
        throttleOf: () => throttle,
      });
      dispatcher.start();
      store.insertTask({ ...newTask(service, 1, 'a', Date.now()), state: 'assigned' });
      expect(sent.at(-1)).toMatchObject({ generation: 2, tasks: [{ serviceName: 'web', throttle: null }] });

      disk.fill();
      throttle = { cpus: 0.5 };
      dispatcher.refresh('a');
      expect(store.diskFull).not.toBeNull();
      expect(sent).toHaveLength(2);
      expect(store.getDesiredSet('a')?.generation).toBe(2);

      disk.free();
      expect(store.probeWritable()).toBe(true);
      expect(sent.at(-1)).toMatchObject({ generation: 3, tasks: [{ throttle: { cpus: 0.5 } }] });
      expect(store.getDesiredSet('a')?.generation).toBe(3);
      dispatcher.stop();
    } finally {
      store.close();
    }
  });
});
