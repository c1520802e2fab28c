#!/usr/bin/env node
import { buildProgram, runCli } from './program.js';

const program = buildProgram({});
process.exitCode = await runCli(program, process.argv);
