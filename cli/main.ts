#!/usr/bin/env node
import { registerAgent } from './commands/agent.js';
import { registerAlerts } from './commands/alerts.js';
import { registerContext } from './commands/context.js';
import { registerDashboard } from './commands/dashboard.js';
import { registerEvents } from './commands/events.js';
import { registerConfig, registerSecret } from './commands/material.js';
import { registerJoinToken } from './commands/join-token.js';
import { registerManager } from './commands/manager.js';
import { registerNode } from './commands/node.js';
import { registerService } from './commands/service.js';
import { registerSim } from './commands/sim.js';
import { registerStack } from './commands/stack.js';
import { registerTask } from './commands/task.js';
import { exitQuietlyWhenOutputCloses } from './output.js';
import { buildProgram, runCli } from './program.js';

exitQuietlyWhenOutputCloses();

const program = buildProgram({
  manager: registerManager,
  agent: registerAgent,
  node: registerNode,
  service: registerService,
  task: registerTask,
  stack: registerStack,
  secret: registerSecret,
  config: registerConfig,
  context: registerContext,
  'join-token': registerJoinToken,
  alerts: registerAlerts,
  events: registerEvents,
  dashboard: registerDashboard,
  sim: registerSim,
});
process.exitCode = await runCli(program, process.argv);
