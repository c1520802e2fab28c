/**
 * What `kelvin agent install` writes: a systemd unit that runs the agent with the user's flags,
 * and an environment file holding the join token, so the token stays out of the unit (world-readable)
 * and off the command line (visible in `ps`).
 */
import type { RunOptions } from '../options.js';
import { DEFAULT_DOCKER_SOCKET, DEFAULT_STATUS_RESYNC_MS, TOKEN_ENV } from '../options.js';

export const UNIT_NAME = 'kelvin-agent.service';
export const UNIT_PATH = `/etc/systemd/system/${UNIT_NAME}`;
export const ENV_FILE_PATH = '/etc/kelvin/agent.env';

/**
 * V8's lite mode (no optimizing compiler, lazier code) trades speed the agent does not need for
 * about 20 MB less RSS on a board: measured by bench/agent-footprint.mjs.
 */
export const AGENT_NODE_FLAGS = ['--lite-mode'];

/** Absolute paths the unit runs: the node binary and the kelvin entry point. */
export interface AgentProgram {
  node: string;
  cli: string;
}

function formatDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** The agent's flags for these options, token left out (the unit reads it from the env file). */
export function agentArgs(options: RunOptions): string[] {
  const args = ['agent', '--broker', options.broker, '--state-dir', options.stateDir];
  if (options.name !== null) args.push('--name', options.name);
  for (const [key, value] of Object.entries(options.labels)) args.push('--label', `${key}=${value}`);
  if (options.hostRoot !== '/') args.push('--host-root', options.hostRoot);
  if (options.hwProfilesDir !== null) args.push('--hw-profiles', options.hwProfilesDir);
  if (options.dockerSocket !== DEFAULT_DOCKER_SOCKET) args.push('--docker-host', `unix://${options.dockerSocket}`);
  if (options.caFile !== null) args.push('--ca', options.caFile);
  if (options.advertiseAddr !== null) args.push('--advertise-addr', options.advertiseAddr);
  args.push('--interval', formatDuration(options.intervalMs), '--keepalive', `${options.keepaliveS}s`);
  if (options.statusResyncMs !== DEFAULT_STATUS_RESYNC_MS) args.push('--status-resync', formatDuration(options.statusResyncMs));
  return args;
}

/** One ExecStart word: `%` and `$` would be expanded by systemd; anything unusual is double-quoted. */
export function quoteSystemdArg(arg: string): string {
  const escaped = arg.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  if (/^[A-Za-z0-9_@%$+=:,./-]+$/.test(escaped)) return escaped;
  return `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function renderUnit(program: AgentProgram, options: RunOptions): string {
  const execStart = [program.node, ...AGENT_NODE_FLAGS, program.cli, ...agentArgs(options)].map(quoteSystemdArg).join(' ');
  return `# Written by \`kelvin agent install\`; remove with \`kelvin agent uninstall\`.
[Unit]
Description=Kelvin agent: board telemetry and tasks
Wants=network-online.target
After=network-online.target docker.service

[Service]
Type=simple
EnvironmentFile=${ENV_FILE_PATH}
ExecStart=${execStart}
Restart=always
RestartSec=2
# Stop and restart signal the agent only: the process tasks it started keep running and the
# restarted agent adopts them (containers live in Docker's cgroup anyway).
KillMode=process

[Install]
WantedBy=multi-user.target
`;
}

/** Double-quoted, with the characters systemd's parser treats specially escaped. */
export function renderEnvFile(token: string): string {
  const quoted = token.replace(/[\\"$`]/g, (c) => `\\${c}`);
  return `# Read by ${UNIT_NAME}; holds the cluster join token. Keep it mode 600.\n${TOKEN_ENV}="${quoted}"\n`;
}
