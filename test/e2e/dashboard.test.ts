/**
 * The dashboard in a real browser (issue 16): Debian's chromium, headless, driven by
 * puppeteer-core against the built manager and agents on writable fixture boards. It logs in
 * through the link `kelvin dashboard` prints, reads every board's tile, heats a board and watches
 * its tile change, opens a board's charts, and drains a node from the page.
 * Screenshots go to KELVIN_SCREENSHOT_DIR when set (docs/ for the README), else to the temp dir.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKelvin } from '../helpers/cli.js';
import { TestCluster } from '../helpers/cluster.js';
import { chromiumBinary, hasChromium } from '../helpers/requirements.js';
import { writableBoard, type WritableBoard } from '../helpers/writable-board.js';

/** Pi 4 limits: warn 65, throttle 70, critical 76 (hw-profiles/rpi-4.json). */
const COOL_C = 52;
const HOT_C = 72;
const BOARDS: Array<[host: string, zone: string]> = [
  ['pi-a', 'kitchen'],
  ['pi-b', 'kitchen'],
  ['pi-c', 'garage'],
];

const run = hasChromium();
let cluster: TestCluster;
let browser: Browser;
let page: Page;
const boards = new Map<string, WritableBoard>();
const shots = process.env.KELVIN_SCREENSHOT_DIR;

const tile = (host: string): string => `a.tile[data-node="${host}"]`;

/** On a phone-sized screen the page scrolls down, never sideways (tables scroll inside their box). */
async function expectFitsPhone(): Promise<void> {
  await page.setViewport({ width: 375, height: 740 });
  try {
    // Charts follow the new width on the window's resize event: give the page a moment to redraw.
    const fits = 'document.documentElement.scrollWidth <= window.innerWidth';
    await page.waitForFunction(fits, { timeout: 3000 }).catch(() => undefined);
    expect(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')).toBeLessThanOrEqual(0);
  } finally {
    await page.setViewport({ width: 1100, height: 720 });
  }
}

beforeAll(async () => {
  if (!run) return;
  for (const [host] of BOARDS) {
    const b = writableBoard('rpi4');
    b.setTempC(COOL_C + boards.size * 3);
    b.setUnderVoltage(false);
    b.setBootId(randomUUID());
    boards.set(host, b);
  }
  cluster = await TestCluster.start(['--thermal-sustain', '1s']);
  for (const [host, b] of boards) cluster.startAgent(host, b.root);
  await cluster.waitForReadyNodes(BOARDS.length);
  for (const [host, zone] of BOARDS) await cluster.kelvin('node', 'update', '--label-add', `zone=${zone}`, host);
  await cluster.kelvin('service', 'create', '--name', 'web', '--replicas', '2', '--', ...cluster.loop('web'));
  browser = await puppeteer.launch({ executablePath: chromiumBinary() ?? undefined, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  page = await browser.newPage();
  // A script error in the page fails nothing by itself: print it, so a failing wait says why.
  page.on('pageerror', (err) => console.error(`dashboard page error: ${String(err)}`));
  page.on('console', (msg) => msg.type() === 'error' && console.error(`dashboard console: ${msg.text()}`));
  await page.setViewport({ width: 1100, height: 720 });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await cluster?.stop(['web']);
  for (const b of boards.values()) b.remove();
}, 30_000);

describe.skipIf(!run)('the dashboard in headless chromium', () => {
  it('logs in through the printed one-time link; the admin token is in no URL and the link works once', async () => {
    const out = await cluster.kelvin('dashboard', '--no-open');
    const link = /Log in[^:]*: (\S+)/.exec(out)?.[1] ?? '';
    expect(link).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${cluster.httpPort}/ui/login\\?token=`));
    expect(link).not.toContain(String(cluster.env.KELVIN_TOKEN));
    await page.goto(link);
    await page.waitForSelector(tile('pi-a'), { timeout: 10_000 });
    expect(page.url()).toBe(`http://127.0.0.1:${cluster.httpPort}/ui/`);
    const cookies = await browser.cookies();
    expect(cookies.find((c) => c.name === 'kelvin_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect((await fetch(link)).status).toBe(401);
  }, 30_000);

  it('hands the link to the desktop opener when there is a display, and only prints it when there is none', async () => {
    const bin = mkdtempSync(join(tmpdir(), 'kelvin-opener-'));
    const opened = join(bin, 'opened');
    writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\necho "$1" > ${opened}\n`, { mode: 0o755 });
    try {
      const env = { ...cluster.env, PATH: `${bin}:${process.env.PATH ?? ''}`, WAYLAND_DISPLAY: '' };
      const withDisplay = await runKelvin(['dashboard'], { env: { ...env, DISPLAY: ':99' } });
      expect(withDisplay.stdout).toContain('Opening it in your browser.');
      const link = /Log in[^:]*: (\S+)/.exec(withDisplay.stdout)?.[1];
      await expect.poll(() => (existsSync(opened) ? readFileSync(opened, 'utf8').trim() : ''), { timeout: 5000 }).toBe(link);
      rmSync(opened);
      const headless = await runKelvin(['dashboard'], { env: { ...env, DISPLAY: '' } });
      expect(headless.stdout).not.toContain('Opening');
      await new Promise((r) => setTimeout(r, 300));
      expect(existsSync(opened)).toBe(false);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  }, 20_000);

  it('shows a tile for every board with its temperature, grouped by a label', async () => {
    for (const [host] of BOARDS) {
      await page.waitForSelector(`::-p-xpath(//a[@data-node="${host}"]/span[@class="temp" and contains(., "°C") and not(contains(., "–"))])`, { timeout: 10_000 });
      const text = await page.$eval(tile(host), (el) => el.textContent ?? '');
      expect(text).toContain(host);
      expect(text).toContain('aarch64');
    }
    expect(await page.$eval(tile('pi-a'), (el) => el.getAttribute('data-heat'))).toBe('ok');
    await page.select('#group-by', 'zone');
    const groups = await page.$$eval('.group h2', (els) => els.map((e) => e.textContent));
    expect(groups, await page.$eval('#group-by', (el) => el.outerHTML)).toEqual(['zone=garage', 'zone=kitchen']);
    await expectFitsPhone();
  }, 20_000);

  it('turns a heated board hot within 3 s of the heat, with the throttled badge shortly after', async () => {
    const started = Date.now();
    boards.get('pi-b')?.setTempC(HOT_C);
    await page.waitForSelector(`${tile('pi-b')}[data-heat="hot"]`, { timeout: 3000 });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await page.$eval(tile('pi-b'), (el) => el.textContent)).toContain('hot: throttling');
    // The policy throttles after the sustain time (1 s here): the badge follows.
    await page.waitForSelector(`${tile('pi-b')} .badge-throttled`, { timeout: 10_000 });
    if (shots) await page.screenshot({ path: join(shots, 'dashboard-fleet.png') });
  }, 20_000);

  it('opens a board and charts its history with data points and limit lines', async () => {
    await page.click(tile('pi-b'));
    // data-points: readings the chart plots (the page counts the non-empty slots it gave uPlot).
    await page.waitForFunction('Number(document.querySelector(\'figure[data-metric="cpuTempC"]\')?.dataset.points ?? 0) >= 3', { timeout: 15_000 });
    const legend = await page.$eval('figure[data-metric="cpuTempC"]', (el) => el.textContent ?? '');
    expect(legend).toContain('throttle 70 °C');
    expect(await page.$('figure[data-metric="load1"]')).not.toBeNull();
    // The Pi 4 fixture measures no voltage: the page says so rather than drawing an empty chart.
    expect(await page.$eval('[data-missing="volts"]', (el) => el.textContent)).toBe('volts: no readings from this board');
    // The throttle alert is marked on the chart and listed under it.
    await page.waitForSelector('::-p-xpath(//ul[@class="markers"]/li[contains(., ": throttle: ")])', { timeout: 12_000 });
    if (shots) {
      await page.setViewport({ width: 1100, height: 1000 });
      await page.screenshot({ path: join(shots, 'dashboard-board.png') });
    }
    await expectFitsPhone();
  }, 40_000);

  it('draws the same history as sparklines in the terminal: kelvin node history', async () => {
    const out = await cluster.kelvin('node', 'history', 'pi-b', '--since', '2m');
    expect(out).toMatch(/^pi-b: last 2m at 1s \(120 slots\)\n/);
    expect(out).toMatch(new RegExp(`cpu temp +[ ▁-█]+  min ${COOL_C + 3}\\.0 C  max ${HOT_C}\\.0 C  now ${HOT_C}\\.0 C`));
    const refused = await runKelvin(['node', 'history', 'pi-b', '--since', '2h', '--resolution', '1s'], { env: cluster.env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe('kelvin: --since: resolution 1s is kept for 1h only; ask for since<=1h or resolution=1m\n');
  }, 20_000);

  it('lists services with where they run, and scales one from the page', async () => {
    await page.goto(`http://127.0.0.1:${cluster.httpPort}/ui/#/services`);
    await page.waitForSelector('::-p-xpath(//tr[@data-service="web"]/td[3][.="2/2"])', { timeout: 20_000 });
    const where: string = await page.$eval('tr[data-service="web"] td:nth-child(4)', (el) => el.textContent ?? '');
    expect(where.split(', ').every((host: string) => ['pi-a', 'pi-b', 'pi-c'].includes(host))).toBe(true);
    await expectFitsPhone();
    const input = await page.$('tr[data-service="web"] input');
    await input?.click({ count: 3 });
    await input?.type('3');
    await page.click('tr[data-service="web"] button');
    await page.waitForSelector('::-p-xpath(//p[@role="status"][.="web scaled to 3"])', { timeout: 10_000 });
    expect(await cluster.kelvin('service', 'ls')).toMatch(/\bweb\b.*\/3\b/);
  }, 30_000);

  it('shows the throttle alert on the timeline and filters it by kind', async () => {
    await page.goto(`http://127.0.0.1:${cluster.httpPort}/ui/#/events`);
    await page.waitForSelector('::-p-xpath(//ol[@class="timeline"]/li[contains(., "thermal.throttle")])', { timeout: 10_000 });
    const items = (): Promise<Array<{ cls: string; text: string }>> => page.$$eval('ol.timeline li', (els) => els.map((e) => ({ cls: e.className, text: e.textContent ?? '' })));
    await page.select('select[aria-label="show"]', 'alert');
    const alerts = await items();
    expect(alerts.every((i) => i.cls.includes('alert'))).toBe(true);
    expect(alerts.some((i) => i.text.includes('⚠ warning · thermal.throttle'))).toBe(true);
    await page.select('select[aria-label="show"]', 'event');
    await page.type('input[type="search"]', 'node.join');
    const joins = await items();
    expect(joins.length).toBeGreaterThanOrEqual(BOARDS.length);
    expect(joins.every((i) => i.cls.includes('event') && i.text.includes('node.join'))).toBe(true);
  }, 20_000);

  it('drains the node from the page, as kelvin node ls then shows', async () => {
    await page.goto(`http://127.0.0.1:${cluster.httpPort}/ui/#/node/${(await cluster.nodes()).find((n) => n.hostname === 'pi-b')?.id}`);
    await page.waitForSelector('#drain', { timeout: 10_000 });
    await page.click('#drain');
    await page.waitForSelector('#activate', { timeout: 10_000 });
    const ls = await cluster.kelvin('node', 'ls');
    expect(ls.split('\n').find((l) => l.includes('pi-b'))).toMatch(/\bdrain\b/i);
  }, 20_000);
});
