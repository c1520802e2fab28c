/**
 * What the browser loads without an API credential: the dashboard's own files (shipped in the
 * package, read once at start), uPlot from the package's node_modules (no CDN: a manager with no
 * internet serves everything), and the login link that turns into a session cookie.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sessionCookieHeader, type DashboardSessions } from './sessions.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** `/ui/<name>` → file contents; the assets folder and uPlot's two files, nothing else. */
function loadAssets(): Map<string, { body: Buffer; type: string }> {
  const files = new Map<string, { body: Buffer; type: string }>();
  const add = (name: string, path: string): void => void files.set(name, { body: readFileSync(path), type: TYPES[extname(path)] ?? 'application/octet-stream' });
  const dir = fileURLToPath(new URL('./assets/', import.meta.url));
  for (const name of readdirSync(dir)) if (TYPES[extname(name)]) add(name, join(dir, name));
  const require = createRequire(import.meta.url);
  add('vendor/uPlot.esm.js', require.resolve('uplot/dist/uPlot.esm.js'));
  add('vendor/uPlot.min.css', require.resolve('uplot/dist/uPlot.min.css'));
  return files;
}

function send(res: ServerResponse, status: number, type: string, body: Buffer | string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...SECURITY_HEADERS, ...extra });
  res.end(body);
}

const page = (title: string, body: string, head = ''): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">${head}<title>${title}</title></head><body><p>${body}</p></body></html>`;

export interface DashboardPages {
  /** Answers the request when it is one of the dashboard's pages; false leaves it to the API. */
  serve(req: IncomingMessage, res: ServerResponse, url: URL): boolean;
}

export function dashboardPages(sessions: DashboardSessions, secure: boolean): DashboardPages {
  const assets = loadAssets();
  return {
    serve(req, res, url) {
      const path = url.pathname;
      if (path !== '/' && path !== '/ui' && !path.startsWith('/ui/')) return false;
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        send(res, 405, 'text/plain; charset=utf-8', 'only GET is allowed on dashboard pages\n', { allow: 'GET, HEAD' });
        return true;
      }
      if (path === '/' || path === '/ui') {
        res.writeHead(302, { location: '/ui/' });
        res.end();
        return true;
      }
      if (path === '/ui/login') {
        const session = sessions.exchange(url.searchParams.get('token') ?? '');
        const noStore = { 'cache-control': 'no-store' };
        if (session === null) {
          send(res, 401, TYPES['.html'] ?? '', page('Kelvin: login link expired', 'This login link has expired or was used already. Run <code>kelvin dashboard</code> for a new one.'), noStore);
          return true;
        }
        // A page, not a redirect: the browser then loads /ui/ as a same-site navigation, which sends the Strict cookie.
        const go = page('Kelvin', '<a href="/ui/">Open the dashboard</a>', '<meta http-equiv="refresh" content="0; url=/ui/">');
        send(res, 200, TYPES['.html'] ?? '', go, { ...noStore, 'set-cookie': sessionCookieHeader(session, secure) });
        return true;
      }
      const asset = assets.get(path === '/ui/' ? 'index.html' : path.slice('/ui/'.length));
      if (!asset) send(res, 404, 'text/plain; charset=utf-8', `no such dashboard file: ${path.slice(0, 200)}\n`);
      else send(res, 200, asset.type, asset.body, { 'cache-control': 'no-cache' });
      return true;
    },
  };
}
