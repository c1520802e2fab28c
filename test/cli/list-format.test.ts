/** `--format` and `--filter` for list commands: the Go-template subset and Swarm's filter semantics. */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../cli/errors.js';
import { applyFilters, parseFilters } from '../../cli/filter/filters.js';
import { nodeFilters, serviceFilters } from '../../cli/filter/matchers.js';
import { renderFormat } from '../../cli/format/template.js';
import type { NodeView, ServiceView } from '../../manager/api/views.js';

const rows = [
  { ID: 'abc123', Name: 'web', DesiredState: 'Running', labels: { tier: 'front' }, spec: { image: 'busybox' } },
  { ID: 'def456', Name: 'db\x1b[2J', DesiredState: 'Shutdown', labels: {}, spec: { image: 'postgres' } },
];
const human = (): string => 'HUMAN\n';

function usage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof UsageError) return err.message;
    throw err;
  }
  throw new Error('no UsageError');
}

describe('--format', () => {
  it('fills {{.Field}} per item, matching field names without regard to case', () => {
    expect(renderFormat('{{.Name}} {{.id}} {{.Spec.Image}}', rows, human)).toBe('web abc123 busybox\ndb\\x1b[2J def456 postgres\n');
  });

  it('prints {{json .}} and {{json .Field}} as JSON, keeping board text JSON-escaped', () => {
    expect(renderFormat('{{json .Labels}}', rows, human)).toBe('{"tier":"front"}\n{}\n');
    expect(JSON.parse(renderFormat('{{json .}}', rows, human).split('\n')[1] ?? '')).toEqual(rows[1]);
    expect(renderFormat('json', rows, human).trim().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual(rows);
  });

  it('lays out a table with headers from the field names, from the \\t the user typed', () => {
    expect(renderFormat('table {{.ID}}\\t{{.DesiredState}}\\t{{upper .Name}}', rows, human)).toBe(
      ['ID       DESIRED STATE   NAME', 'abc123   Running         WEB', 'def456   Shutdown        DB\\x1b[2J', ''].join('\n'),
    );
    expect(renderFormat('table', rows, human)).toBe('HUMAN\n');
  });

  it('refuses an unknown field or function, and unbalanced braces, with one line naming them', () => {
    expect(usage(() => renderFormat('{{.Nope}}', rows, human))).toBe('--format: no field .Nope (fields: ID, Name, DesiredState, labels, spec)');
    expect(usage(() => renderFormat('{{title .Name}}', rows, human))).toMatch(/^--format: unknown function 'title'/);
    expect(usage(() => renderFormat('{{.Name}', rows, human))).toMatch(/^--format: unbalanced/);
  });
});

const node = (id: string, hostname: string, extra: Partial<NodeView> = {}): NodeView =>
  ({
    id,
    hostname,
    role: 'worker',
    membership: 'accepted',
    availability: 'active',
    labels: {},
    engineLabels: {},
    thermal: { state: 'normal', cpuTempC: 50, limits: null },
    power: { state: 'stable', underVoltageNow: false, brownouts: 0 },
    ...extra,
  }) as NodeView;

describe('--filter', () => {
  const nodes = [
    node('n1aaa', 'pi-1', { role: 'manager', labels: { 'gpu.vendor': 'nvidia' } }),
    node('n2bbb', 'pi-2', { thermal: { state: 'hot', cpuTempC: 80, limits: null }, engineLabels: { zone: 'attic' } }),
    node('n3ccc', 'orin', { power: { state: 'unstable', underVoltageNow: true, brownouts: 1 }, membership: 'pending' }),
  ];
  const pick = (...filters: string[]): string[] => applyFilters(nodes, parseFilters(filters, nodeFilters), nodeFilters).map((n) => n.hostname);

  it("ORs the values of one key and ANDs different keys, as Swarm's filters do", () => {
    expect(pick('name=pi')).toEqual(['pi-1', 'pi-2']);
    expect(pick('name=pi', 'role=worker')).toEqual(['pi-2']);
    expect(pick('id=n1', 'id=n3')).toEqual(['pi-1', 'orin']);
  });

  it("matches Kelvin's thermal and power states, node labels and engine labels", () => {
    expect(pick('thermal=hot')).toEqual(['pi-2']);
    expect(pick('power=unstable')).toEqual(['orin']);
    expect(pick('node.label=gpu.vendor=nvidia')).toEqual(['pi-1']);
    expect(pick('label=zone')).toEqual(['pi-2']);
    expect(pick('membership=pending')).toEqual(['orin']);
  });

  it('refuses an unknown key or value before anything is fetched', () => {
    expect(usage(() => parseFilters(['colour=red'], nodeFilters))).toBe(
      "--filter: unknown key 'colour' (known: id, name, role, membership, availability, label, node.label, thermal, power)",
    );
    expect(usage(() => parseFilters(['thermal=toasty'], nodeFilters))).toBe("--filter thermal: 'toasty' is not one of normal, warm, hot, critical");
    expect(usage(() => parseFilters(['name'], nodeFilters))).toBe("--filter: 'name' is not KEY=VALUE");
  });

  it('filters services by mode and label', () => {
    const services = [
      { id: 's1', name: 'web', mode: 'replicated', spec: { labels: { tier: 'front' } } },
      { id: 's2', name: 'agent', mode: 'global', spec: { labels: {} } },
    ] as unknown as ServiceView[];
    expect(applyFilters(services, parseFilters(['mode=global'], serviceFilters), serviceFilters).map((s) => s.name)).toEqual(['agent']);
    expect(applyFilters(services, parseFilters(['label=tier=front'], serviceFilters), serviceFilters).map((s) => s.name)).toEqual(['web']);
  });
});
