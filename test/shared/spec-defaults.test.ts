import { describe, expect, it } from 'vitest';
import { defaultServiceSpec, withSpecDefaults, type ServiceSpec } from '../../shared/service-spec.js';

describe('withSpecDefaults (specs stored by an older manager)', () => {
  it('fills top-level and one-level-deep fields the stored spec lacks, keeping what it has', () => {
    const stored = JSON.parse(JSON.stringify(defaultServiceSpec('web'))) as Record<string, unknown>;
    delete stored.thermal;
    stored.replicas = 7;
    stored.updateConfig = { parallelism: 3 };
    const spec = withSpecDefaults(stored as unknown as ServiceSpec);
    expect(spec.thermal).toEqual({ movable: true });
    expect(spec.replicas).toBe(7);
    expect(spec.updateConfig).toEqual({ ...defaultServiceSpec('web').updateConfig, parallelism: 3 });
  });
});
