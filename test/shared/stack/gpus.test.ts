import { describe, expect, it } from 'vitest';
import { parseErrors, parseOk, yaml } from './parse-helpers.js';

/** GPUs reserved and warnings for a `reservations:` block (indented to sit under it). */
function reserve(reservations: string, env: Record<string, string> = {}): { gpus: number | null; warnings: string[] } {
  const text = `services:\n  web:\n    image: busybox\n    deploy:\n      resources:\n        reservations:\n${reservations
    .trim()
    .split('\n')
    .map((l) => `          ${l}`)
    .join('\n')}\n`;
  const result = parseOk(text, env);
  return { gpus: result.services[0]?.resources.reservations.gpus ?? null, warnings: result.warnings };
}

const at = 'services.web.deploy.resources.reservations';

describe('GPU reservations', () => {
  it('counts Swarm generic resources of kind gpu (also NVIDIA-GPU)', () => {
    expect(reserve('generic_resources:\n  - discrete_resource_spec: { kind: gpu, value: 2 }')).toEqual({ gpus: 2, warnings: [] });
    expect(reserve("generic_resources:\n  - discrete_resource_spec: { kind: 'NVIDIA-GPU', value: 1 }").gpus).toBe(1);
  });

  it('ignores other generic resources and named ones, with warnings', () => {
    const r = reserve(yaml`
      generic_resources:
        - discrete_resource_spec: { kind: SSD, value: 1 }
        - named_resource_spec: { kind: gpu, value: GPU-8a7c }
    `);
    expect(r).toEqual({
      gpus: null,
      warnings: [
        `${at}.generic_resources[0].discrete_resource_spec: ignored: Kelvin schedules GPUs only, not generic resource 'SSD' (line 8)`,
        `${at}.generic_resources[1].named_resource_spec: ignored: Kelvin reserves GPUs by count; use discrete_resource_spec (line 9)`,
      ],
    });
  });

  it('counts device requests with the gpu capability', () => {
    expect(reserve('devices:\n  - capabilities: [gpu]\n    driver: nvidia\n    count: 2')).toEqual({ gpus: 2, warnings: [] });
    expect(reserve('devices:\n  - { capabilities: [gpu, utility], count: "${GPUS}" }', { GPUS: '3' }).gpus).toBe(3);
  });

  it('count: all (or no count) reserves one GPU and says so', () => {
    const warning = 'count: all reserves 1 GPU in a cluster (nodes differ); write a number to reserve more';
    expect(reserve('devices:\n  - { capabilities: [gpu], count: all }')).toEqual({
      gpus: 1,
      warnings: [`${at}.devices[0].count: ${warning} (line 8)`],
    });
    expect(reserve('devices:\n  - capabilities: [gpu]')).toEqual({ gpus: 1, warnings: [`${at}.devices[0]: ${warning} (line 8)`] });
  });

  it('device_ids reserve that many GPUs on the chosen node, with a warning', () => {
    expect(reserve("devices:\n  - { capabilities: [gpu], device_ids: ['0', '3'] }")).toEqual({
      gpus: 2,
      warnings: [`${at}.devices[0].device_ids: Kelvin reserves 2 GPU(s) on the node it picks, not these device ids (line 8)`],
    });
  });

  it('ignores non-GPU devices with a warning', () => {
    expect(reserve('devices:\n  - { capabilities: [tpu], count: 1 }')).toEqual({
      gpus: null,
      warnings: [`${at}.devices[0]: ignored: Kelvin reserves GPUs only, not devices with capabilities [tpu] (line 8)`],
    });
  });

  it('adds up GPUs asked for both ways', () => {
    const r = reserve(yaml`
      generic_resources:
        - discrete_resource_spec: { kind: gpu, value: 1 }
      devices:
        - { capabilities: [gpu], count: 2 }
    `);
    expect(r.gpus).toBe(3);
  });

  it('rejects bad device requests', () => {
    expect(
      parseErrors(yaml`
        services:
          web:
            image: busybox
            deploy:
              resources:
                reservations:
                  devices:
                    - { capabilities: [gpu], count: 1, device_ids: ['0'] }
                    - { capabilities: [gpu], count: some }
                    - { count: 1 }
                    - { capabilities: [gpu], count: -1 }
                  generic_resources:
                    - discrete_resource_spec: { kind: gpu }
      `),
    ).toEqual([
      `${at}.devices[0].device_ids: count and device_ids cannot be used together (line 8)`,
      `${at}.devices[1].count: expected a number of GPUs or 'all', got 'some' (line 9)`,
      `${at}.devices[2]: missing 'capabilities' (line 10)`,
      `${at}.devices[3].count: must not be negative, got -1 (line 11)`,
      `${at}.generic_resources[0].discrete_resource_spec: missing 'value' (line 13)`,
    ]);
  });
});
