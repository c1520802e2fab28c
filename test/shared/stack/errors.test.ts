import { describe, expect, it } from 'vitest';
import { ConstraintError, parseConstraint } from '../../../shared/constraints/index.js';
import { parseStackFile } from '../../../shared/stack/index.js';
import { fixture, parseErrors, yaml } from './parse-helpers.js';

describe('parseStackFile errors', () => {
  it('lists every problem of a file at once, each with its path and line', () => {
    expect(parseErrors(fixture('invalid-stack.yml'))).toEqual([
      'services.web.deploy.replicas: must not be negative, got -1 (line 8)',
      "services.web.deploy.placement.constraints[0]: unknown operator '=~' (line 12)",
      "services.web.deploy.resources.limits.memory: invalid memory size '512X' (write e.g. 512M, 1.5G, 1048576) (line 16)",
      "services.web.stop_grace_period: invalid duration 'soon' (write e.g. 500ms, 10s, 1m30s) (line 17)",
      "services.batch.deploy.replicas: replicas cannot be used with mode 'global' (line 22)",
      "services.bad name!: invalid service name 'bad name!': letters, digits, _ . - (max 63), starting with a letter or digit (line 23)",
    ]);
  });

  it('reports YAML syntax errors with the file and line', () => {
    expect(parseErrors('services:\n  web:\n    image: busybox\n   command: [sh\n')).toEqual([
      'stack.yml: All mapping items must start at the same column (line 4)',
      'stack.yml: Flow sequence in block collection must be sufficiently indented and end with a ] (line 5)',
    ]);
    expect(parseErrors('services:\n  web:\n    image: a\n    image: b\n')).toEqual(['stack.yml: Map keys must be unique (line 4)']);
  });

  it('names the file given in the options', () => {
    expect(parseStackFile('', { file: 'deploy/edge.yml', env: {} })).toEqual({ ok: false, errors: ['deploy/edge.yml: no services defined'] });
  });

  it('rejects a file without services', () => {
    expect(parseErrors('version: "3.8"\n')).toEqual(['stack.yml: no services defined']);
    expect(parseErrors('services:\n')).toEqual(['services: no services defined (line 1)']);
    expect(parseErrors('services: {}\n')).toEqual(['services: no services defined (line 1)']);
    expect(parseErrors('services:\n  - web\n')).toEqual(['services: expected a mapping of service names to services (line 1)']);
    expect(parseErrors('just a string\n')).toEqual(['stack.yml: expected a mapping with a services: section at the top level']);
  });

  it('rejects unknown deploy.mode and other unknown choices, listing what is allowed', () => {
    expect(
      parseErrors(yaml`
        services:
          web:
            image: busybox
            deploy:
              mode: replicated-job
              restart_policy: { condition: always }
              update_config: { order: random, failure_action: retry }
            x-kelvin: { driver: wasm }
      `),
    ).toEqual([
      "services.web.deploy.mode: unknown mode 'replicated-job', expected 'replicated' or 'global' (line 5)",
      "services.web.deploy.restart_policy.condition: unknown condition 'always', expected 'none', 'on-failure' or 'any' (line 6)",
      "services.web.deploy.update_config.order: unknown order 'random', expected 'stop-first' or 'start-first' (line 7)",
      "services.web.deploy.update_config.failure_action: unknown failure action 'retry', expected 'pause', 'continue' or 'rollback' (line 7)",
      "services.web.x-kelvin.driver: unknown driver 'wasm', expected 'docker' or 'process' (line 8)",
    ]);
  });

  it('rejects numbers that are not whole, not numbers, or out of range', () => {
    expect(
      parseErrors(yaml`
        services:
          web:
            image: busybox
            deploy:
              replicas: 1.5
              placement: { max_replicas_per_node: lots }
              resources:
                limits: { cpus: 0, memory: 0 }
                reservations: { cpus: -1 }
              restart_policy: { max_attempts: -3 }
      `),
    ).toEqual([
      'services.web.deploy.replicas: expected a whole number, got 1.5 (line 5)',
      "services.web.deploy.placement.max_replicas_per_node: expected a whole number, got 'lots' (line 6)",
      'services.web.deploy.resources.limits.cpus: must be more than 0, got 0 (line 8)',
      'services.web.deploy.resources.limits.memory: memory limit must be more than 0 (line 8)',
      'services.web.deploy.resources.reservations.cpus: must be 0 or more, got -1 (line 9)',
      'services.web.deploy.restart_policy.max_attempts: must not be negative, got -3 (line 10)',
    ]);
  });

  it('rejects bad durations wherever a duration goes', () => {
    expect(
      parseErrors(yaml`
        services:
          web:
            image: busybox
            deploy:
              restart_policy: { delay: 5 sec, window: -1s }
              update_config: { delay: 1d }
      `),
    ).toEqual([
      "services.web.deploy.restart_policy.delay: invalid duration '5 sec' (write e.g. 500ms, 10s, 1m30s) (line 5)",
      "services.web.deploy.restart_policy.window: invalid duration '-1s' (write e.g. 500ms, 10s, 1m30s) (line 5)",
      "services.web.deploy.update_config.delay: invalid duration '1d' (write e.g. 500ms, 10s, 1m30s) (line 6)",
    ]);
  });

  it('passes on the constraint parser reason for every bad constraint', () => {
    // The wording of each reason belongs to the constraint parser; this checks that it reaches the user.
    const reason = (expression: string): string => {
      try {
        parseConstraint(expression);
      } catch (e) {
        if (e instanceof ConstraintError) return e.reason;
      }
      throw new Error(`'${expression}' was expected to be rejected`);
    };
    expect(
      parseErrors(yaml`
        services:
          web:
            image: busybox
            deploy:
              placement:
                constraints:
                  - node.labels.gpu=~true
                  - node.role==boss
                  - node.labels.zone
      `),
    ).toEqual([
      "services.web.deploy.placement.constraints[0]: unknown operator '=~' (line 7)",
      `services.web.deploy.placement.constraints[1]: ${reason('node.role==boss')} (line 8)`,
      `services.web.deploy.placement.constraints[2]: ${reason('node.labels.zone')} (line 9)`,
    ]);
  });

  it('requires an image for a docker service and a command, not an image, for a process service', () => {
    expect(
      parseErrors(yaml`
        services:
          web:
            command: nginx -g 'daemon off;'
          empty:
            image: ""
          probe:
            image: busybox
            entrypoint: /bin/sh
            x-kelvin: { driver: process }
          idle:
            command:
            x-kelvin: { driver: process }
      `),
    ).toEqual([
      'services.web: image is required (or set x-kelvin.driver: process to run a command on the host) (line 2)',
      'services.empty.image: image is empty (line 5)',
      'services.probe.image: a process service runs its command on the host and takes no image (line 7)',
      'services.probe.entrypoint: a process service takes its program from command, not entrypoint (line 8)',
      'services.probe: a process service needs a command (the program and its arguments) (line 6)',
      'services.idle.command: a process service needs a command (the program and its arguments) (line 11)',
    ]);
  });

  it('rejects service names Swarm would reject', () => {
    const name = 'a'.repeat(64);
    expect(parseErrors(`services:\n  ${name}:\n    image: busybox\n  -web:\n    image: busybox\n`)).toEqual([
      `services.${name}: invalid service name '${name}': letters, digits, _ . - (max 63), starting with a letter or digit (line 2)`,
      "services.-web: invalid service name '-web': letters, digits, _ . - (max 63), starting with a letter or digit (line 4)",
    ]);
  });

  it('reports a required variable that is missing, naming it', () => {
    expect(
      parseErrors(
        yaml`
          services:
            web:
              image: "registry.local/app:\${TAG:?set TAG to the release to deploy}"
              environment:
                - API_KEY=\${API_KEY?}
        `,
        { API_KEY: undefined },
      ),
    ).toEqual([
      "services.web.image: required variable 'TAG' is not set or empty: set TAG to the release to deploy (line 3)",
      "services.web.environment[0]: required variable 'API_KEY' is not set (line 5)",
    ]);
  });

  it('rejects malformed interpolation and quoting', () => {
    expect(
      parseErrors(yaml`
        services:
          web:
            image: "app:\${TAG"
            command: echo 'unbalanced
            working_dir: "\${ dir }"
      `),
    ).toEqual([
      "services.web.image: invalid interpolation format in 'app:${TAG': '${' is never closed (use $$ for a literal $) (line 3)",
      "services.web.command: unterminated single quote in 'echo 'unbalanced' (line 4)",
      "services.web.working_dir: invalid interpolation format '${ dir }' (use $$ for a literal $) (line 5)",
    ]);
  });

  it('rejects values of the wrong shape', () => {
    expect(
      parseErrors(yaml`
        services:
          web:
            image: [busybox]
            environment: FOO=bar
            labels:
              - =orphan
            deploy:
              placement:
                constraints: node.labels.gpu==true
                preferences:
                  - {}
                  - spread: ""
              resources: 2
            x-kelvin:
              thermal: { movable: maybe }
          other: busybox
      `),
    ).toEqual([
      'services.web.image: expected a string, got a list (line 3)',
      "services.web.environment: expected a mapping or a list of KEY=value, got 'FOO=bar' (line 4)",
      "services.web.labels[0]: '=orphan' has no name before '=' (line 6)",
      "services.web.deploy.placement.constraints: expected a list, got 'node.labels.gpu==true' (line 9)",
      "services.web.deploy.placement.preferences[0]: missing 'spread' (line 11)",
      'services.web.deploy.placement.preferences[1]: spread needs a label, e.g. node.labels.zone (line 12)',
      'services.web.deploy.resources: expected a mapping, got a single value (line 13)',
      "services.web.x-kelvin.thermal.movable: expected true or false, got 'maybe' (line 15)",
      'services.other: expected a mapping, got a single value (line 16)',
    ]);
  });

  it('rejects unknown keys, suggesting the key that was probably meant', () => {
    expect(
      parseErrors(yaml`
        servics: {}
        services:
          web:
            imgae: busybox
            image: busybox
            deploy:
              replica: 2
              placement: { constraint: [] }
            x-kelvin: { movable: false, thermal: { moveable: false } }
      `),
    ).toEqual([
      "servics: unknown key, did you mean 'services'? (line 1)",
      "services.web.imgae: unknown key, did you mean 'image'? (line 4)",
      "services.web.deploy.replica: unknown key, did you mean 'replicas'? (line 7)",
      "services.web.deploy.placement.constraint: unknown key, did you mean 'constraints'? (line 8)",
      'services.web.x-kelvin.movable: unknown key (line 9)',
      "services.web.x-kelvin.thermal.moveable: unknown key, did you mean 'movable'? (line 9)",
    ]);
  });
});
