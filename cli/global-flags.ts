/**
 * The options `kelvin` takes before any command (`--host`, `--context`, `--log-format`), set once
 * by the program's preAction hook and read by whatever needs them (the API client, the loggers).
 */
export interface GlobalFlags {
  host?: string;
  context?: string;
  logFormat?: string;
}

let current: GlobalFlags = {};

export function setGlobalFlags(flags: GlobalFlags): void {
  current = { ...flags };
}

export function globalFlags(): GlobalFlags {
  return current;
}
