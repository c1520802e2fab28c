import { describe, expect, it } from 'vitest';
import { defaultServiceSpec, serviceSpec, type ServiceSpec } from '../../../shared/service-spec.js';
import { parseStackFile } from '../../../shared/stack/index.js';
import { fixture, onlyService, parseOk, yaml } from './parse-helpers.js';

describe('parseStackFile: the sample edge stack', () => {
  const result = parseOk(fixture('edge-stack.yml'), { TAG: '1.5.0' });
  const byName = (name: string): ServiceSpec | undefined => result.services.find((s) => s.name === name);

  it('yields the services in file order, each a valid ServiceSpec with no stack set', () => {
    expect(result.services.map((s) => s.name)).toEqual(['inference', 'soil-probe', 'node-exporter']);
    for (const spec of result.services) {
      expect(serviceSpec.safeParse(spec).success).toBe(true);
      expect(spec.stack).toBeNull();
    }
  });

  it('reads the GPU service pinned to GPU boards', () => {
    const base = defaultServiceSpec('inference');
    expect(byName('inference')).toEqual({
      ...base,
      image: 'registry.local/vision/detector:1.5.0',
      command: ['--model', '/models/yolo.onnx', '--threshold', '0.6'],
      env: { LOG_LEVEL: 'info', SITE: 'greenhouse-1', CUDA_VISIBLE_DEVICES: '0' },
      labels: { 'com.example.team': 'vision', 'com.example.tier': 'inference' },
      replicas: 2,
      placement: { constraints: ['node.labels.gpu==true', 'node.platform.arch==aarch64'], preferences: [], maxReplicasPerNode: 1 },
      resources: {
        limits: { cpus: 2.5, memoryBytes: 2 * 1024 ** 3 },
        reservations: { cpus: 1, memoryBytes: 512 * 1024 ** 2, gpus: 1 },
      },
      restartPolicy: { condition: 'on-failure', delayMs: 10_000, maxAttempts: 5, windowMs: 120_000 },
      updateConfig: { parallelism: 1, delayMs: 30_000, order: 'start-first', failureAction: 'rollback', monitorMs: 5000, maxFailureRatio: 0 },
      stopGracePeriodMs: 45_000,
      thermal: { movable: false },
    });
  });

  it('reads the host process service', () => {
    expect(byName('soil-probe')).toEqual({
      ...defaultServiceSpec('soil-probe'),
      driver: 'process',
      command: ['/usr/local/bin/soil-probe', '--port', '/dev/ttyUSB0', '--interval', '5s'],
      env: { MQTT_URL: 'mqtt://127.0.0.1:1883', SITE: 'greenhouse-1' },
      workdir: '/var/lib/soil-probe',
      placement: { constraints: ['node.hostname==pi-greenhouse'], preferences: [], maxReplicasPerNode: 0 },
    });
  });

  it('reads the global exporter spread across zones', () => {
    const base = defaultServiceSpec('node-exporter');
    expect(byName('node-exporter')).toEqual({
      ...base,
      image: 'prom/node-exporter:v1.8.1',
      entrypoint: ['/bin/node_exporter', '--path.rootfs=/host'],
      mode: 'global',
      placement: { constraints: [], preferences: [{ spread: 'node.labels.zone' }], maxReplicasPerNode: 0 },
      resources: { ...base.resources, limits: { cpus: null, memoryBytes: 64 * 1024 ** 2 } },
      ports: [{ published: 9100, target: 9100, protocol: 'tcp', mode: 'ingress' }],
    });
  });

  it('has no warnings, and says nothing about version or x-common-env', () => {
    expect(result.warnings).toEqual([]);
  });

  it('falls back to the ${TAG:-...} default when TAG is unset', () => {
    const inference = parseOk(fixture('edge-stack.yml'), {}).services[0];
    expect(inference?.image).toBe('registry.local/vision/detector:1.4.2');
  });
});

describe('parseStackFile: YAML features Compose files lean on', () => {
  it('follows anchors and << merges, with keys written in place winning over merged ones', () => {
    const spec = onlyService(yaml`
      x-defaults: &defaults
        image: busybox
        stop_grace_period: 3s
        environment: &env
          A: from-anchor
          B: from-anchor
      services:
        web:
          <<: *defaults
          stop_grace_period: 7s
          environment:
            <<: *env
            B: local
    `);
    expect(spec.image).toBe('busybox');
    expect(spec.stopGracePeriodMs).toBe(7000);
    expect(spec.env).toEqual({ A: 'from-anchor', B: 'local' });
  });

  it('in a list of merges the first mapping wins', () => {
    const spec = onlyService(yaml`
      x-a: &a { A: first }
      x-b: &b { A: second, B: second }
      services:
        web:
          image: busybox
          environment:
            <<: [*a, *b]
    `);
    expect(spec.env).toEqual({ A: 'first', B: 'second' });
  });

  it('reports the line of the problem where the anchored value is written', () => {
    const result = parseStackFile(
      yaml`
        x-deploy: &deploy
          replicas: many
        services:
          web:
            image: busybox
            deploy: *deploy
      `,
      { file: 'stack.yml', env: {} },
    );
    expect(result).toEqual({ ok: false, errors: ["services.web.deploy.replicas: expected a whole number, got 'many' (line 2)"] });
  });
});

describe('parseStackFile: bad merges', () => {
  it('reports a << that does not merge a mapping, once', () => {
    expect(
      parseStackFile(
        yaml`
          x-image: &image busybox
          services:
            web:
              <<: *image
              image: busybox
              deploy:
                <<: [*image]
                placement: {}
        `,
        { file: 'stack.yml', env: {} },
      ),
    ).toEqual({
      ok: false,
      errors: [
        "services.web: '<<' must merge a mapping or a list of mappings (line 3)",
        "services.web.deploy: '<<' must merge a mapping or a list of mappings (line 6)",
      ],
    });
  });
});
