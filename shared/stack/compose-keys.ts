/**
 * Compose keys Kelvin accepts but does not act on. They come back as warnings, one per key with
 * its path; a key in neither these lists nor the readers is an error (most likely a typo).
 */

export const IGNORED_TOP_LEVEL_KEYS = ['name', 'include'] as const;

/** Service keys of the Compose v3 format and the Compose spec that Kelvin has no use for. */
export const IGNORED_SERVICE_KEYS = [
  'annotations', 'attach', 'blkio_config', 'build', 'cgroup', 'cgroup_parent',
  'container_name', 'cpu_count', 'cpu_percent', 'cpu_period', 'cpu_quota', 'cpu_rt_period',
  'cpu_rt_runtime', 'cpu_shares', 'cpus', 'cpuset', 'credential_spec', 'depends_on', 'develop',
  'device_cgroup_rules', 'dns_opt', 'dns_search', 'domainname',
  'extends', 'external_links', 'gpus', 'group_add', 'ipc',
  'isolation', 'label_file', 'links', 'logging', 'mac_address', 'mem_limit', 'mem_reservation',
  'mem_swappiness', 'memswap_limit', 'network_mode', 'oom_kill_disable', 'oom_score_adj', 'pid',
  'pids_limit', 'platform', 'post_start', 'pre_stop', 'profiles', 'provider',
  'pull_policy', 'runtime', 'scale', 'security_opt', 'shm_size',
  'stdin_open', 'storage_opt', 'tty', 'use_api_socket',
  'userns_mode', 'uts', 'volumes_from',
] as const;
