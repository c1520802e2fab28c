/**
 * `GET /v1/nodes/{id}/history` and dashboard sessions over real HTTP on a real manager: bounds
 * (one 400 naming the parameter), data from telemetry the store took in, and who may ask.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiServer } from '../../../manager/api/index.js';
import type { HistoryView } from '../../../manager/history/telemetry-history.js';
import { startManager, type RunningManager } from '../../../manager/manager.js';
import { silentLogger } from '../../../shared/logger.js';
import { telemetrySample } from '../../helpers/telemetry-sample.js';

let dir: string;
let manager: RunningManager;
let api: ApiServer;
let token: string;

function get(path: string, headers: Record<string, string> = { authorization: `Bearer ${token}` }): Promise<Response> {
  return fetch(`${api.url}${path}`, { headers, redirect: 'manual' });
}

async function errorOf(res: Response): Promise<{ status: number; message: string }> {
  return { status: res.status, message: ((await res.json()) as { error: { message: string } }).error.message };
}

/** A session cookie from a login link, as a browser would get it. */
async function login(): Promise<string> {
  const link = (await (await fetch(`${api.url}/v1/dashboard/login-link`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).json()) as { path: string };
  const res = await fetch(`${api.url}${link.path}`, { redirect: 'manual' });
  expect(res.status).toBe(200);
  const cookie = res.headers.get('set-cookie') ?? '';
  expect(cookie).toMatch(/^kelvin_session=[\w-]+; HttpOnly; SameSite=Strict; Path=\/; Max-Age=\d+$/);
  return cookie.split(';')[0] ?? '';
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kelvin-history-'));
  manager = await startManager({ dataDir: dir, mqttHost: '127.0.0.1', mqttPort: 0, insecureMqtt: true }, { logger: silentLogger() });
  api = await startApi(manager, { host: '127.0.0.1', port: 0, brokerUrl: manager.mqttUrl, logger: silentLogger() });
  token = readFileSync(join(dir, 'admin.token'), 'utf8').trim();
  manager.store.registerNode('board-1', { secretHash: 'sha256:x', mosquittoHash: null }, 'worker');
});

afterAll(async () => {
  await api?.close();
  await manager?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('GET /v1/nodes/{id}/history', () => {
  it('serves the telemetry the manager took in, one slot a second for the last hour by default', async () => {
    manager.store.setTelemetry('board-1', telemetrySample({ cpuTempC: 61.5, load1: 1.25 }));
    const res = await get('/v1/nodes/board-1/history');
    expect(res.status).toBe(200);
    const view = (await res.json()) as HistoryView;
    expect(view).toMatchObject({ nodeId: 'board-1', resolution: '1s', stepMs: 1000 });
    expect(view.t).toHaveLength(3600);
    // The sample sits in the slot of the second it came in; the request may answer a second or two later.
    const readings = (values: Array<number | null> | undefined): number[] => (values ?? []).filter((v): v is number => v !== null);
    expect(readings(view.avg.cpuTempC)).toEqual([61.5]);
    expect(readings(view.avg.load1)).toEqual([1.25]);
    expect(view.avg.cpuTempC?.lastIndexOf(61.5)).toBeGreaterThan(3590);
  });

  it('answers a day at one slot a minute with min and max, and picks 1m by itself past the hour', async () => {
    const view = (await (await get('/v1/nodes/board-1/history?since=24h')).json()) as HistoryView;
    expect(view.resolution).toBe('1m');
    expect(view.t).toHaveLength(1440);
    expect(view.max?.cpuTempC?.filter((v) => v !== null)).toEqual([61.5]);
    const short = (await (await get('/v1/nodes/board-1/history?since=90s&resolution=1m')).json()) as HistoryView;
    expect(short.t.length).toBeLessThanOrEqual(2);
  });

  it('refuses bad bounds with one 400 naming the parameter', async () => {
    const cases: Array<[string, RegExp]> = [
      ['since=forever', /^since: 'forever' is not a duration/],
      ['since=25h', /^since: '25h' is out of range \(1s to 24h\)/],
      ['since=0s', /^since: '0s' is out of range/],
      ['since=2h&resolution=1s', /^since: resolution 1s is kept for 1h only; ask for since<=1h or resolution=1m/],
      ['resolution=5s', /^resolution: '5s' is not 1s or 1m/],
      ['limit=10', /^unknown query parameter 'limit'/],
    ];
    for (const [query, message] of cases) {
      const e = await errorOf(await get(`/v1/nodes/board-1/history?${query}`));
      expect(e.status, query).toBe(400);
      expect(e.message, query).toMatch(message);
    }
    expect((await get('/v1/nodes/nope/history')).status).toBe(404);
  });

  it('needs the admin token or a dashboard session', async () => {
    expect((await get('/v1/nodes/board-1/history', {})).status).toBe(401);
    expect((await get('/v1/nodes/board-1/history', { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await get('/v1/nodes/board-1/history', { cookie: 'kelvin_session=made-up' })).status).toBe(401);
    expect((await get('/v1/nodes/board-1/history', { cookie: await login() })).status).toBe(200);
  });
});

describe('dashboard sessions', () => {
  it('spends a login link once; a used or made-up link gets no cookie', async () => {
    const link = (await (await fetch(`${api.url}/v1/dashboard/login-link`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).json()) as { path: string };
    expect(link.path).not.toContain(token);
    expect((await fetch(`${api.url}${link.path}`)).status).toBe(200);
    const again = await fetch(`${api.url}${link.path}`);
    expect(again.status).toBe(401);
    expect(again.headers.get('set-cookie')).toBeNull();
    expect((await fetch(`${api.url}/ui/login?token=guess`)).status).toBe(401);
  });

  it('mints login links for the admin token only, not for a session', async () => {
    const res = await fetch(`${api.url}/v1/dashboard/login-link`, { method: 'POST', headers: { cookie: await login(), 'x-kelvin-csrf': '1' } });
    expect(res.status).toBe(403);
  });

  it('makes a change with a session only with the CSRF header and from its own origin', async () => {
    const cookie = await login();
    const drain = (headers: Record<string, string>): Promise<Response> =>
      fetch(`${api.url}/v1/nodes/board-1/update`, { method: 'POST', headers: { cookie, 'content-type': 'application/json', ...headers }, body: JSON.stringify({ availability: 'drain' }) });
    const noHeader = await errorOf(await drain({}));
    expect(noHeader).toEqual({ status: 403, message: 'a change made with a dashboard session needs the x-kelvin-csrf: 1 header' });
    expect((await drain({ 'x-kelvin-csrf': '1', origin: 'https://evil.example' })).status).toBe(403);
    expect(manager.cluster.getNode('board-1').availability).toBe('active');
    expect((await drain({ 'x-kelvin-csrf': '1', origin: api.url })).status).toBe(200);
    expect(manager.cluster.getNode('board-1').availability).toBe('drain');
  });

  it('serves the page and uPlot from the package without a credential, and nothing outside its files', async () => {
    expect((await get('/', {})).headers.get('location')).toBe('/ui/');
    const page = await get('/ui/', {});
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await page.text()).toContain('/ui/app.js');
    const uplot = await get('/ui/vendor/uPlot.esm.js', {});
    expect(uplot.status).toBe(200);
    expect(uplot.headers.get('content-type')).toContain('javascript');
    // fetch resolves dot segments itself (then the API wants a token); encoded ones reach the server.
    for (const path of ['/ui/../package.json', '/ui/vendor/../../history-query.ts', '/ui/%2e%2e/routes.ts', '/ui/vendor%2f..%2f..%2fsessions.ts', '/ui/nope.js']) {
      expect([401, 404], path).toContain((await get(path, {})).status);
    }
  });
});
