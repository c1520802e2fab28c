import { describe, expect, it } from 'vitest';
import { ConstraintError, parseConstraint, parseConstraints, type Operator } from '../../../shared/constraints/index.js';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/** [expression, canonical key, operator, value] */
const ACCEPTED: [string, string, Operator, string][] = [
  // Examples from `docker service create --constraint` docs.
  ['node.id==2ivku8v2gvtg4', 'node.id', '==', '2ivku8v2gvtg4'],
  ['node.hostname!=node-2', 'node.hostname', '!=', 'node-2'],
  ['node.role==manager', 'node.role', '==', 'manager'],
  ['node.role!=worker', 'node.role', '!=', 'worker'],
  ['node.platform.os==windows', 'node.platform.os', '==', 'windows'],
  ['node.platform.arch==x86_64', 'node.platform.arch', '==', 'x86_64'],
  ['node.labels.security==high', 'node.labels.security', '==', 'high'],
  ['engine.labels.operatingsystem==ubuntu-14.04', 'engine.labels.operatingsystem', '==', 'ubuntu-14.04'],
  ['node.labels.region==east', 'node.labels.region', '==', 'east'],
  ['node.labels.type == queue', 'node.labels.type', '==', 'queue'],
  // Whitespace and case, as Swarm trims and folds keys.
  ['  node.role == manager  ', 'node.role', '==', 'manager'],
  ['\tnode.role==worker\n', 'node.role', '==', 'worker'],
  ['NODE.ROLE==Manager', 'node.role', '==', 'Manager'],
  ['Node.Labels.Zone==eu-1', 'node.labels.Zone', '==', 'eu-1'],
  ['ENGINE.LABELS.Rack!=r1', 'engine.labels.Rack', '!=', 'r1'],
  ['Node.Platform.Arch==ARM64', 'node.platform.arch', '==', 'ARM64'],
  // Label names and values with every character Swarm allows.
  ['node.labels.com.example.rack==r1.a', 'node.labels.com.example.rack', '==', 'r1.a'],
  ['node.labels._private==yes', 'node.labels._private', '==', 'yes'],
  ['node.labels.a-b_c==1', 'node.labels.a-b_c', '==', '1'],
  ['node.labels.path==/srv/data', 'node.labels.path', '==', '/srv/data'],
  ['node.labels.ver==v1.2:rc(1)', 'node.labels.ver', '==', 'v1.2:rc(1)'],
  ['node.labels.desc==two words', 'node.labels.desc', '==', 'two words'],
  ['node.labels.pattern==a*b?[c]|^$+\\', 'node.labels.pattern', '==', 'a*b?[c]|^$+\\'],
  ['node.labels.gpu!=true', 'node.labels.gpu', '!=', 'true'],
  ['node.platform.arch==arm64', 'node.platform.arch', '==', 'arm64'],
  ['node.platform.arch!=armhf', 'node.platform.arch', '!=', 'armhf'],
  // Kelvin's numeric node.hw.* keys.
  ['node.hw.cpu.cores>=4', 'node.hw.cpu.cores', '>=', '4'],
  ['node.hw.cpu.cores<8', 'node.hw.cpu.cores', '<', '8'],
  ['node.hw.memory>=8GiB', 'node.hw.memory', '>=', '8GiB'],
  ['node.hw.memory<=512MiB', 'node.hw.memory', '<=', '512MiB'],
  ['node.hw.memory>8G', 'node.hw.memory', '>', '8G'],
  ['node.hw.memory==1048576', 'node.hw.memory', '==', '1048576'],
  ['node.hw.memory >= 1.5g', 'node.hw.memory', '>=', '1.5g'],
  ['node.hw.memory>=8 GiB', 'node.hw.memory', '>=', '8 GiB'],
  ['node.hw.gpu.memory>=16GB', 'node.hw.gpu.memory', '>=', '16GB'],
  ['node.hw.gpu.count>0', 'node.hw.gpu.count', '>', '0'],
  ['node.hw.gpu.count!=2', 'node.hw.gpu.count', '!=', '2'],
  ['NODE.HW.GPU.COUNT == 1', 'node.hw.gpu.count', '==', '1'],
];

const KNOWN_KEYS =
  '(expected node.id, node.hostname, node.role, node.platform.os, node.platform.arch, ' +
  'node.labels.<name>, engine.labels.<name> or node.hw.*)';
const KNOWN_HW_KEYS = '(known: node.hw.cpu.cores, node.hw.memory, node.hw.gpu.memory, node.hw.gpu.count, node.hw.ambient, node.hw.device)';

/** [expression, 1-based position, reason] */
const REJECTED: [string, number, string][] = [
  ['', 1, 'empty constraint'],
  ['   ', 1, 'empty constraint'],
  ['==manager', 1, 'empty key'],
  ['  != worker', 3, 'empty key'],
  ['node.role==', 12, 'empty value'],
  ['node.role==   ', 12, 'empty value'],
  ['node.role  ', 10, "missing operator after key 'node.role' (expected one of ==, !=, <, <=, >, >=)"],
  ['node.hw.memory>=', 17, 'empty value'],
  ['node.role', 10, "missing operator after key 'node.role' (expected one of ==, !=, <, <=, >, >=)"],
  ['  node.labels.gpu', 18, "missing operator after key 'node.labels.gpu' (expected one of ==, !=, <, <=, >, >=)"],
  ['node.labels.a b==c', 15, "missing operator after key 'node.labels.a' (expected one of ==, !=, <, <=, >, >=)"],
  ['node.labels.a=~b', 14, "unknown operator '=~'"],
  ['node.labels.gpu ~= true', 17, "unknown operator '~='"],
  ['node.role=manager', 10, "unknown operator '='"],
  ['node.role===manager', 10, "unknown operator '==='"],
  ['node.role<>manager', 10, "unknown operator '<>'"],
  ['node.role=>manager', 10, "unknown operator '=>'"],
  ['gpu!true', 4, "unknown operator '!'"],
  ['node.labels.a==b==c', 17, "invalid character '=' in value"],
  ['node.labels.a==b<c', 17, "invalid character '<' in value"],
  ['node.labels.a==b,c', 17, "invalid character ',' in value"],
  ['node.labels.a=="b"', 16, `invalid character '"' in value`],
  ['node.labels.a==café', 19, "invalid character 'é' in value"],
  ['node.labels.a$b==c', 14, "invalid character '$' in key 'node.labels.a'"],
  ['$node.role==manager', 1, "invalid character '$' in key"],
  ['node.labels.==x', 13, "missing label name after 'node.labels.'"],
  ['engine.labels.!=x', 15, "missing label name after 'engine.labels.'"],
  ['node.foo==bar', 1, `unknown key 'node.foo' ${KNOWN_KEYS}`],
  ['labels.gpu==true', 1, `unknown key 'labels.gpu' ${KNOWN_KEYS}`],
  ['node.ip==10.0.0.1', 1, `unknown key 'node.ip' ${KNOWN_KEYS}`],
  ['node.hw==4', 1, `unknown key 'node.hw' ${KNOWN_KEYS}`],
  ['constructor==x', 1, `unknown key 'constructor' ${KNOWN_KEYS}`],
  ['__proto__==x', 1, `unknown key '__proto__' ${KNOWN_KEYS}`],
  ['node.hw.disk>1G', 9, `unknown hardware key 'node.hw.disk' ${KNOWN_HW_KEYS}`],
  ['node.hw.cpu>2', 9, `unknown hardware key 'node.hw.cpu' ${KNOWN_HW_KEYS}`],
  ['node.labels.gpu>=1', 16, "ordering operator '>=' works only on node.hw.* keys, not on 'node.labels.gpu'"],
  ['engine.labels.os<=5', 17, "ordering operator '<=' works only on node.hw.* keys, not on 'engine.labels.os'"],
  ['node.hostname>node-1', 14, "ordering operator '>' works only on node.hw.* keys, not on 'node.hostname'"],
  ['node.platform.arch<arm64', 19, "ordering operator '<' works only on node.hw.* keys, not on 'node.platform.arch'"],
  ['node.role==managr', 12, "unknown role 'managr' (expected manager or worker)"],
  ['node.hw.memory>=8XB', 17, "invalid byte size '8XB' for node.hw.memory (use e.g. 512MiB, 8GiB or 8G)"],
  ['node.hw.gpu.memory<lots', 20, "invalid byte size 'lots' for node.hw.gpu.memory (use e.g. 512MiB, 8GiB or 8G)"],
  ['node.hw.memory>=-1G', 17, "invalid byte size '-1G' for node.hw.memory (use e.g. 512MiB, 8GiB or 8G)"],
  ['node.hw.cpu.cores>=four', 20, "invalid number 'four' for node.hw.cpu.cores (expected a whole number)"],
  ['node.hw.cpu.cores>=2.5', 20, "invalid number '2.5' for node.hw.cpu.cores (expected a whole number)"],
  ['node.hw.gpu.count>=-1', 20, "invalid number '-1' for node.hw.gpu.count (expected a whole number)"],
  ['node.hw.ambient<warm', 17, "invalid temperature 'warm' for node.hw.ambient (degrees C, e.g. 35 or 32.5)"],
  ['node.hw.ambient<35C', 17, "invalid temperature '35C' for node.hw.ambient (degrees C, e.g. 35 or 32.5)"],
];

function rejection(expression: string): ConstraintError {
  try {
    parseConstraint(expression);
  } catch (err) {
    if (err instanceof ConstraintError) return err;
    throw err;
  }
  throw new Error(`'${expression}' was accepted`);
}

describe('parseConstraint accepts', () => {
  it.each(ACCEPTED)('%j', (expression, key, operator, value) => {
    const c = parseConstraint(expression);
    expect({ key: c.key, operator: c.operator, value: c.value, text: c.text }).toEqual({
      key,
      operator,
      value,
      text: expression.trim(),
    });
  });

  it('reads node.hw.* values as bytes or counts', () => {
    expect(parseConstraint('node.hw.memory>=8GiB').target).toEqual({ kind: 'hw', fact: 'memoryBytes', amount: 8 * GiB });
    expect(parseConstraint('node.hw.memory<=512MiB').target).toEqual({ kind: 'hw', fact: 'memoryBytes', amount: 512 * MiB });
    expect(parseConstraint('node.hw.memory>8G').target).toEqual({ kind: 'hw', fact: 'memoryBytes', amount: 8 * GiB });
    expect(parseConstraint('node.hw.gpu.memory>=16GB').target).toEqual({ kind: 'hw', fact: 'gpuMemoryBytes', amount: 16e9 });
    expect(parseConstraint('node.hw.cpu.cores>=4').target).toEqual({ kind: 'hw', fact: 'cpuCores', amount: 4 });
    expect(parseConstraint('node.hw.gpu.count==0').target).toEqual({ kind: 'hw', fact: 'gpuCount', amount: 0 });
  });

  it('keeps the label name as written and tells node labels from engine labels', () => {
    expect(parseConstraint('NODE.LABELS.Zone==a').target).toEqual({ kind: 'label', scope: 'node', name: 'Zone' });
    expect(parseConstraint('engine.labels.zone==a').target).toEqual({ kind: 'label', scope: 'engine', name: 'zone' });
  });
});

describe('parseConstraint rejects', () => {
  it.each(REJECTED)('%j at position %i: %s', (expression, position, reason) => {
    const err = rejection(expression);
    expect({ reason: err.reason, position: err.position, expression: err.expression }).toEqual({
      reason,
      position,
      expression,
    });
    expect(err.message).toBe(`invalid constraint '${expression}': ${reason} at position ${position}`);
  });

  it('says exactly what is wrong and where, in one line a user can read', () => {
    const err = rejection('node.labels.a=~b');
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('ConstraintError');
    expect(err.message).toBe("invalid constraint 'node.labels.a=~b': unknown operator '=~' at position 14");
    expect(rejection('node.hw.memory>=8XB').message).toBe(
      "invalid constraint 'node.hw.memory>=8XB': invalid byte size '8XB' for node.hw.memory (use e.g. 512MiB, 8GiB or 8G) at position 17",
    );
  });

});

describe('parseConstraints', () => {
  it('parses every expression in order', () => {
    const cs = parseConstraints(['node.role==worker', 'node.labels.gpu==true', 'node.hw.memory>=4G']);
    expect(cs.map((c) => c.text)).toEqual(['node.role==worker', 'node.labels.gpu==true', 'node.hw.memory>=4G']);
  });

  it('returns an empty list for no constraints', () => {
    expect(parseConstraints([])).toEqual([]);
  });

  it('throws the first bad expression', () => {
    expect(() => parseConstraints(['node.role==worker', 'node.labels.a=b', 'node.foo==x'])).toThrow(
      "invalid constraint 'node.labels.a=b': unknown operator '=' at position 14",
    );
  });
});
