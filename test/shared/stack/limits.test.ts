import { describe, expect, it } from 'vitest';
import { MAX_CLUSTER_TASKS } from '../../../shared/limits.js';
import { parseErrors } from './parse-helpers.js';

describe('stack file limits (shared/limits.ts)', () => {
  it('names the service and field of every value over a limit, with its line', () => {
    const lines = [
      'services:',
      '  web:',
      '    image: busybox',
      '    environment:',
      `      BIG: ${'x'.repeat(2 * 1024 * 1024)}`, // 2 MiB: would fill a node's whole desired set
      '    labels:',
      ...Array.from({ length: 101 }, (_, i) => `      l${i}: v`),
      '    deploy:',
      '      replicas: 1000000000',
      '      placement:',
      `        constraints: [${Array.from({ length: 65 }, () => 'node.role==worker').join(', ')}]`,
      '  api:',
      '    image: busybox',
      '    environment:',
      ...Array.from({ length: 3 }, (_, i) => `      K${i}: ${'y'.repeat(30_000)}`),
    ];
    expect(parseErrors(lines.join('\n'))).toEqual([
      'services.web.environment.BIG: 2097156 bytes, over the limit of 32768 per entry (line 5)',
      'services.web.labels: 101 labels, over the limit of 100 (line 6)',
      `services.web.deploy.replicas: over the cluster-wide limit of ${MAX_CLUSTER_TASKS} tasks (line 109)`,
      'services.web.deploy.placement.constraints: over the limit of 64 constraints (line 111)',
      'services.api.environment: 90009 bytes in all, over the limit of 65536 (line 114)',
    ]);
  });
});
