/**
 * What `--format` sees for each list: the columns of the table under docker's field names (`.ID`,
 * `.Name`, `.Replicas`, `.DesiredState`...), then the item's own API fields (`.Spec.Image`,
 * `.Telemetry.CpuTempC`) where no column has the same name.
 */
import type { NodeView, ServiceView, StackView, TaskView } from '../../manager/api/views.js';
import { formatPorts } from './ports.js';
import { serviceRuns, updateCell } from './services.js';
import { currentState, shortId, taskError, taskName } from './tasks.js';
import { capitalize } from './time.js';

type Row = Record<string, unknown>;

function overlay(view: object, columns: Row): Row {
  const taken = new Set(Object.keys(columns).map((k) => k.toLowerCase()));
  const rest = Object.entries(view).filter(([k]) => !taken.has(k.toLowerCase()));
  return { ...columns, ...Object.fromEntries(rest) };
}

export function nodeRow(n: NodeView): Row {
  return overlay(n, {
    ID: n.id,
    Hostname: n.hostname,
    Status: n.membership === 'pending' ? 'Pending' : capitalize(n.status),
    Availability: capitalize(n.availability),
    Role: n.role,
    Arch: n.platform?.arch ?? '',
    Board: n.board?.profile ?? '',
    Temp: n.thermal.cpuTempC ?? n.telemetry?.cpuTempC ?? null,
    Thermal: n.thermal.state,
    Power: n.power.state,
    Tasks: n.tasks,
  });
}

export function serviceRow(s: ServiceView): Row {
  return overlay(s, { ID: shortId(s.id), Name: s.name, Mode: s.mode, Replicas: `${s.running}/${s.desired}`, Driver: s.spec.driver, Image: serviceRuns(s), Ports: formatPorts(s.spec.ports), Update: updateCell(s) });
}

export function taskRow(t: TaskView, hostnames: ReadonlyMap<string, string>, now = Date.now()): Row {
  return overlay(t, {
    ID: shortId(t.id),
    Name: taskName(t),
    Node: t.nodeId ? (hostnames.get(t.nodeId) ?? t.nodeId) : '',
    DesiredState: capitalize(t.desiredState),
    CurrentState: currentState(t, now),
    Error: taskError(t),
  });
}

export function stackRow(s: StackView): Row {
  return overlay(s, { Name: s.name, Services: s.services });
}
