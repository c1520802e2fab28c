/** The `kelvin agent --once` summary people read. */
import { afterEach, describe, expect, it } from 'vitest';
import { formatBoardSummary } from '../../agent/inspect.js';
import { createBoardSensing, type BoardSensing } from '../../agent/sensing.js';
import { silentLogger } from '../../shared/logger.js';
import { boardRoot, fixtureEnv } from './sensors/fixture-boards.js';

const open: BoardSensing[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function summary(board: string, nvidiaSmi = false): Promise<string> {
  const root = boardRoot(board);
  const sensing = await createBoardSensing({ hostRoot: root, hwProfilesDir: null, env: fixtureEnv(root, { nvidiaSmi }), logger: silentLogger() });
  open.push(sensing);
  return formatBoardSummary(await sensing.readFacts(), await sensing.sample());
}

describe('board summary', () => {
  it('shows a browned-out Pi 4 with its temperature, limits and power flags', async () => {
    const text = await summary('rpi4');
    expect(text).toContain('Board:       Raspberry Pi 4 Model B Rev 1.4 (profile rpi-4)');
    expect(text).toContain('CPU:         Cortex-A72 x 4');
    expect(text).toContain('CPU temp:    71.5 C (warn 65 C, throttle 70 C, critical 76 C, hysteresis 5 C)');
    expect(text).toContain('under-voltage now YES, since boot YES; throttled YES; frequency capped no');
    expect(text).toContain('GPUs:        none');
  });

  it('lists GPUs with their live readings', async () => {
    const text = await summary('x86-nvidia', true);
    expect(text).toContain('  [0] nvidia NVIDIA H100 80GB HBM3 80GiB: 59.0 C, 100% busy, 19GiB used, thermal slowdown no');
    expect(text).toContain('Labels:      board=x86-intel, gpu=true, gpu.count=1, gpu.vendor=nvidia');
  });

  it('says n/a where a VM has no sensors', async () => {
    const text = await summary('vm');
    expect(text).toContain('CPU temp:    n/a (warn 75 C');
    expect(text).toContain('Temps:       none');
    expect(text).toContain('input n/a');
  });
});
