/**
 * The few Docker Engine API shapes Kelvin reads, trimmed to the fields it uses
 * (https://docs.docker.com/engine/api/v1.41/). The engine sends more; we ignore the rest.
 */

export interface EngineVersion {
  ApiVersion: string;
  Version: string;
}

export interface CreateContainerResponse {
  Id: string;
  Warnings: string[] | null;
}

export interface DeviceRequest {
  Driver: string;
  Count: number;
  Capabilities: string[][];
}

export interface DeviceMappingBody {
  PathOnHost: string;
  PathInContainer: string;
  CgroupPermissions: string;
}

export interface HostConfigBody {
  CpuPeriod?: number;
  CpuQuota?: number;
  Memory?: number;
  DeviceRequests?: DeviceRequest[];
  Devices?: DeviceMappingBody[];
  Mounts?: MountBody[];
  PortBindings?: Record<string, Array<{ HostPort: string }>>;
  CapAdd?: string[];
  CapDrop?: string[];
  Privileged?: boolean;
  Sysctls?: Record<string, string>;
  Ulimits?: Array<{ Name: string; Soft: number; Hard: number }>;
  Init?: boolean;
  ReadonlyRootfs?: boolean;
  ExtraHosts?: string[];
  Dns?: string[];
}

/** Durations in nanoseconds; Test ['NONE'] disables the image's check, an absent body inherits it. */
export interface HealthConfigBody {
  Test: string[];
  Interval?: number;
  Timeout?: number;
  Retries?: number;
  StartPeriod?: number;
}

export interface CreateContainerBody {
  Image: string;
  Cmd?: string[];
  Entrypoint?: string[];
  Env: string[];
  Labels: Record<string, string>;
  WorkingDir?: string;
  Healthcheck?: HealthConfigBody;
  ExposedPorts?: Record<string, object>;
  User?: string;
  Hostname?: string;
  StopSignal?: string;
  Tty: false;
  AttachStdin: false;
  OpenStdin: false;
  HostConfig: HostConfigBody;
}

export interface ContainerState {
  /** created, running, paused, restarting, removing, exited, dead */
  Status: string;
  Running: boolean;
  OOMKilled: boolean;
  ExitCode: number;
  Error: string;
  StartedAt: string;
  FinishedAt: string;
  /** Only when the container has a health check (its own or its image's). */
  Health?: ContainerHealth;
}

export interface ContainerHealth {
  /** none, starting, healthy, unhealthy */
  Status: string;
  FailingStreak: number;
  Log: Array<{ Start: string; End: string; ExitCode: number; Output: string }> | null;
}

export interface ContainerInspect {
  Id: string;
  Name: string;
  State: ContainerState;
  Config: { Labels: Record<string, string> | null; Image: string; Healthcheck?: { Interval?: number } };
  HostConfig: { CpuPeriod: number; CpuQuota: number; Memory: number; CapAdd?: string[] | null; Mounts?: MountBody[] | null; Devices?: DeviceMappingBody[] | null };
}

export interface ContainerSummary {
  Id: string;
  Names: string[];
  Labels: Record<string, string> | null;
  State: string;
}

export interface WaitResponse {
  StatusCode: number;
  Error?: { Message: string } | null;
}

export interface ContainerStats {
  cpu_stats: {
    cpu_usage: { total_usage: number };
    /** CFS periods in which the container hit its quota. */
    throttling_data: { throttled_periods: number };
  };
}

/** A Mounts entry of the create body (the subset Kelvin sends). */
export interface MountBody {
  Type: 'bind' | 'volume' | 'tmpfs';
  Source?: string;
  Target: string;
  ReadOnly?: boolean;
  VolumeOptions?: { DriverConfig: { Name: string; Options: Record<string, string> } };
  TmpfsOptions?: { SizeBytes: number };
}

/** Appends mounts to a host config (several parts of a task's spec add their own). */
export function addMounts(hostConfig: HostConfigBody, mounts: MountBody[]): void {
  if (mounts.length > 0) hostConfig.Mounts = [...(hostConfig.Mounts ?? []), ...mounts];
}
