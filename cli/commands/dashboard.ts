/**
 * `kelvin dashboard`: prints the dashboard's address and a one-time login link (a minute to use
 * it; the admin token itself never goes into a URL), and opens it in a browser where there is a
 * display to show one.
 */
import { spawn } from 'node:child_process';
import { Command } from 'commander';
import { KelvinClient } from '../client.js';
import { formatLines } from '../output.js';

/** The desktop's opener, or null on a machine with no display (a server over SSH). */
function browserOpener(env: NodeJS.ProcessEnv = process.env): string | null {
  if (process.platform === 'darwin') return 'open';
  if (process.platform === 'linux' && (env.DISPLAY || env.WAYLAND_DISPLAY)) return 'xdg-open';
  return null;
}

function openBrowser(url: string): boolean {
  const opener = browserOpener();
  if (!opener) return false;
  const child = spawn(opener, [url], { detached: true, stdio: 'ignore' });
  // No opener installed is not an error: the link is printed anyway.
  child.on('error', () => undefined);
  child.unref();
  return true;
}

export function registerDashboard(program: Command): void {
  program
    .command('dashboard')
    .description('Print the web dashboard address with a one-time login link, and open it in a browser')
    .option('--no-open', 'only print the link')
    .action(async (flags: { open: boolean }) => {
      const client = KelvinClient.fromEnv();
      const host = client.host;
      const link = await client.post<{ path: string; expiresAt: number }>('/dashboard/login-link');
      const url = `${host}${link.path}`;
      const opened = flags.open && openBrowser(url);
      process.stdout.write(formatLines([`Dashboard: ${host}/ui/`, `Log in (one use, within 60 s): ${url}`, ...(opened ? ['Opening it in your browser.'] : [])]));
    });
}
