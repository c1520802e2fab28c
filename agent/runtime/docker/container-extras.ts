/**
 * A task's devices, mounts, container options and service names as Engine API fields, added to the create body
 * that container-spec.ts builds. Pure, like it, so the mapping is tested without an engine.
 */
import type { ContainerOptions, DeviceMapping, MountSpec } from '../../../shared/container-options.js';
import type { TaskSpec } from '../../../shared/payloads/tasks.js';
import { addMounts, type CreateContainerBody, type DeviceMappingBody, type HostConfigBody, type MountBody } from './engine-types.js';

export function applyContainerExtras(body: CreateContainerBody, spec: TaskSpec): void {
  const host = body.HostConfig;
  if (spec.devices?.length) host.Devices = spec.devices.map(deviceBody);
  // Appended: secrets and configs add their own mounts.
  if (spec.mounts?.length) addMounts(host, spec.mounts.map(mountBody));
  if (spec.container) applyOptions(body, host, spec.container);
  // The services the task reaches by name, after the user's own extra_hosts (the first entry for a name wins).
  if (spec.hosts?.length) host.ExtraHosts = [...(host.ExtraHosts ?? []), ...spec.hosts.map((h) => `${h.name}:${h.vip}`)];
}

/** Docker adds the device's cgroup allow rule from CgroupPermissions. */
function deviceBody(d: DeviceMapping): DeviceMappingBody {
  return { PathOnHost: d.host, PathInContainer: d.container, CgroupPermissions: d.permissions };
}

function mountBody(m: MountSpec): MountBody {
  const mount: MountBody = { Type: m.type, Target: m.target, ReadOnly: m.readOnly };
  if (m.source !== null) mount.Source = m.source;
  if (m.type === 'volume' && (m.volumeDriver !== null || Object.keys(m.volumeOptions).length > 0)) {
    // The engine creates a missing named volume with this driver and these options.
    mount.VolumeOptions = { DriverConfig: { Name: m.volumeDriver ?? 'local', Options: { ...m.volumeOptions } } };
  }
  if (m.type === 'tmpfs' && m.tmpfsSizeBytes !== null) mount.TmpfsOptions = { SizeBytes: m.tmpfsSizeBytes };
  return mount;
}

function applyOptions(body: CreateContainerBody, host: HostConfigBody, o: ContainerOptions): void {
  if (o.user !== null) body.User = o.user;
  if (o.hostname !== null) body.Hostname = o.hostname;
  if (o.stopSignal !== null) body.StopSignal = o.stopSignal;
  // Kelvin's own labels stay last: a container label must not disguise whose container this is.
  if (Object.keys(o.labels).length > 0) body.Labels = { ...o.labels, ...body.Labels };
  if (o.capAdd.length > 0) host.CapAdd = [...o.capAdd];
  if (o.capDrop.length > 0) host.CapDrop = [...o.capDrop];
  if (o.privileged) host.Privileged = true;
  if (Object.keys(o.sysctls).length > 0) host.Sysctls = { ...o.sysctls };
  if (o.ulimits.length > 0) host.Ulimits = o.ulimits.map((u) => ({ Name: u.name, Soft: u.soft, Hard: u.hard }));
  if (o.init !== null) host.Init = o.init;
  if (o.readOnly) host.ReadonlyRootfs = true;
  if (o.extraHosts.length > 0) host.ExtraHosts = [...o.extraHosts];
  if (o.dns.length > 0) host.Dns = [...o.dns];
}
