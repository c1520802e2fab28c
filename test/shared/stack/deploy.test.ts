import { describe, expect, it } from 'vitest';
import { onlyService, parseErrors, parseOk, yaml } from './parse-helpers.js';

describe('deploy', () => {
  it('reads mode and replicas, including replicas from a variable', () => {
    const spec = onlyService(yaml`
      services:
        web:
          image: busybox
          deploy: { mode: replicated, replicas: "\${REPLICAS:-1}" }
    `, { REPLICAS: '4' });
    expect(spec).toMatchObject({ mode: 'replicated', replicas: 4 });
  });

  it('accepts replicas: 0 (a scaled-down service)', () => {
    expect(onlyService('services: { web: { image: busybox, deploy: { replicas: 0 } } }').replicas).toBe(0);
  });

  it('reads placement: constraints as written, spread preferences, per-node cap', () => {
    const spec = onlyService(yaml`
      services:
        web:
          image: busybox
          deploy:
            placement:
              constraints:
                - node.labels.gpu == true
                - node.hw.memory>=4GiB
                - node.labels.site==\${SITE}
              preferences:
                - spread: node.labels.zone
                - spread: node.labels.rack
              max_replicas_per_node: 2
    `, { SITE: 'barn' });
    expect(spec.placement).toEqual({
      constraints: ['node.labels.gpu == true', 'node.hw.memory>=4GiB', 'node.labels.site==barn'],
      preferences: [{ spread: 'node.labels.zone' }, { spread: 'node.labels.rack' }],
      maxReplicasPerNode: 2,
    });
  });

  it('reads cpus as a string or a number and memory with units', () => {
    const spec = onlyService(yaml`
      services:
        web:
          image: busybox
          deploy:
            resources:
              limits: { cpus: '0.50', memory: 1.5G }
              reservations: { cpus: 0.25, memory: 100MB }
    `);
    expect(spec.resources).toEqual({
      limits: { cpus: 0.5, memoryBytes: 1.5 * 1024 ** 3 },
      reservations: { cpus: 0.25, memoryBytes: 100_000_000, gpus: null },
    });
  });

  it('reads restart_policy and update_config over the Swarm defaults', () => {
    const spec = onlyService(yaml`
      services:
        web:
          image: busybox
          deploy:
            restart_policy: { condition: none, delay: 500ms, max_attempts: 3, window: 1h }
            update_config: { parallelism: 0, delay: 10s, order: stop-first, failure_action: continue }
    `);
    expect(spec.restartPolicy).toEqual({ condition: 'none', delayMs: 500, maxAttempts: 3, windowMs: 3_600_000 });
    expect(spec.updateConfig).toEqual({ parallelism: 0, delayMs: 10_000, order: 'stop-first', failureAction: 'continue', monitorMs: 5000, maxFailureRatio: 0 });
  });

  it('reads update_config.monitor, max_failure_ratio and rollback_config over the Swarm defaults', () => {
    const spec = onlyService(yaml`
      services:
        web:
          image: busybox
          deploy:
            update_config: { monitor: 30s, max_failure_ratio: 0.25, failure_action: rollback }
            rollback_config: { parallelism: 0, order: start-first, monitor: 2s }
    `);
    expect(spec.updateConfig).toEqual({ parallelism: 1, delayMs: 0, order: 'stop-first', failureAction: 'rollback', monitorMs: 30_000, maxFailureRatio: 0.25 });
    expect(spec.rollbackConfig).toEqual({ parallelism: 0, delayMs: 0, order: 'start-first', failureAction: 'pause', monitorMs: 2000, maxFailureRatio: 0 });
  });

  it('refuses a failure ratio outside 0..1 and a rollback that would roll back, with path and line', () => {
    const errors = parseErrors(yaml`
      services:
        web:
          image: busybox
          deploy:
            update_config: { max_failure_ratio: 1.5 }
            rollback_config: { failure_action: rollback }
    `);
    expect(errors).toEqual([
      'services.web.deploy.update_config.max_failure_ratio: must be from 0 to 1, got 1.5 (line 5)',
      "services.web.deploy.rollback_config.failure_action: unknown failure action 'rollback', expected 'pause' or 'continue' (line 6)",
    ]);
  });

  it('keeps the defaults for what a partial policy leaves out', () => {
    const spec = onlyService(yaml`
      services:
        web:
          image: busybox
          deploy:
            restart_policy: { max_attempts: 2 }
    `);
    expect(spec.restartPolicy).toEqual({ condition: 'any', delayMs: 5000, maxAttempts: 2, windowMs: 0 });
  });

  it('warns about deploy keys Kelvin does not act on', () => {
    const { warnings } = parseOk(yaml`
      services:
        web:
          image: busybox
          deploy:
            endpoint_mode: dnsrr
            resources:
              limits: { pids: 100 }
    `);
    expect(warnings).toEqual([
      'services.web.deploy.endpoint_mode: ignored: Kelvin does not act on this key (line 5)',
      'services.web.deploy.resources.limits.pids: ignored: Kelvin does not act on this key (line 7)',
    ]);
  });
});
