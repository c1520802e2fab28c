import { it } from 'vitest';
import { parseStackFile } from '../../../shared/stack/index.js';
const cases: Record<string, string> = {
  syntax: 'services:\n  web:\n    image: [a\n',
  dup: 'services:\n  web:\n    image: a\n    image: b\n',
  empty: '',
  scalar: 'hello',
  nosvc: 'version: "3"\n',
  svcnull: 'services:\n',
  svclist: 'services:\n  - web\n',
  badop: 'services:\n  web:\n    image: a\n    deploy:\n      placement:\n        constraints:\n          - node.labels.gpu=~true\n          - node.foo==1\n          - 3\n',
  mode: 'services:\n  web:\n    image: a\n    deploy:\n      mode: replicated-job\n      replicas: -2\n',
  global: 'services:\n  web:\n    image: a\n    deploy:\n      replicas: 2\n      mode: global\n',
  mem: 'services:\n  web:\n    image: a\n    deploy:\n      resources:\n        limits:\n          memory: 512X\n          cpus: 0\n        reservations:\n          memory: lots\n          cpus: abc\n    stop_grace_period: 10 seconds\n',
  name: 'services:\n  "my web":\n    image: a\n',
  noimage: 'services:\n  web:\n    command: ls\n',
  procimage: 'services:\n  web:\n    image: a\n    entrypoint: x\n    x-kelvin:\n      driver: process\n',
  proccmd: 'services:\n  web:\n    x-kelvin:\n      driver: process\n      thermal:\n        movable: maybe\n',
  req: 'services:\n  web:\n    image: ${IMAGE:?set IMAGE to the image}\n    command: echo ${X}\n    environment:\n      - A=${B:?}\n',
  inv: 'services:\n  web:\n    image: "${}"\n',
  unknown: 'servics:\n  web: {}\nservices:\n  web:\n    imgae: a\n    image: b\n    ports: ["80:80"]\n    deploy:\n      replica: 2\n      rollback_config: {}\n',
  quote: 'services:\n  web:\n    image: a\n    command: echo "hi\n',
  prefs: 'services:\n  web:\n    image: a\n    deploy:\n      placement:\n        preferences:\n          - spread: ""\n          - {}\n          - pack: x\n',
};
it('smoke', () => {
  for (const [k, v] of Object.entries(cases)) console.log(k, JSON.stringify(parseStackFile(v, { file: 'stack.yml', env: {} }), null, 1));
});
