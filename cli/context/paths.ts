/** Where the CLI keeps its contexts: `$XDG_CONFIG_HOME/kelvin`, else `~/.config/kelvin`. */
import { homedir } from 'node:os';
import { join } from 'node:path';

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CONFIG_HOME?.trim();
  // The XDG spec ignores a relative value.
  return join(xdg && xdg.startsWith('/') ? xdg : join(homedir(), '.config'), 'kelvin');
}
