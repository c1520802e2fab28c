/**
 * Gates for tests that need a real Docker engine, Mosquitto, Chromium or an image registry. On a
 * user's machine without them the suite is skipped with the reason printed; in CI
 * (`KELVIN_REQUIRE_DOCKER=1`, `KELVIN_REQUIRE_MOSQUITTO=1`, `KELVIN_REQUIRE_CHROMIUM=1`,
 * `KELVIN_REQUIRE_REGISTRY=1`) a missing one is a hard failure instead.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const DOCKER_SOCKET = process.env.KELVIN_DOCKER_SOCKET ?? '/var/run/docker.sock';
export const TEST_IMAGE = 'kelvin-test/busybox:latest';

function gate(name: string, requiredVar: string, reason: string | null): boolean {
  if (reason === null) return true;
  if (process.env[requiredVar] === '1') throw new Error(`${name} is required (${requiredVar}=1) but ${reason}`);
  console.warn(`skipping ${name} tests: ${reason}`);
  return false;
}

function dockerProblem(): string | null {
  if (!existsSync(DOCKER_SOCKET)) return `no Docker socket at ${DOCKER_SOCKET}`;
  try {
    execFileSync('docker', ['image', 'inspect', TEST_IMAGE], { stdio: 'ignore', timeout: 10_000 });
  } catch {
    return `the test image ${TEST_IMAGE} is missing (run .ci/run to import it)`;
  }
  return null;
}

export function mosquittoBinary(): string | null {
  for (const p of ['/usr/sbin/mosquitto', '/usr/local/sbin/mosquitto', '/usr/bin/mosquitto']) {
    if (existsSync(p)) return p;
  }
  return null;
}

/** True when Docker tests can run; use as `describe.skipIf(!hasDocker)`. */
export const hasDocker = gate('Docker', 'KELVIN_REQUIRE_DOCKER', dockerProblem());

export const hasMosquitto = gate(
  'Mosquitto',
  'KELVIN_REQUIRE_MOSQUITTO',
  mosquittoBinary() ? null : 'mosquitto is not installed',
);

/** Debian's `chromium`, driven headless by puppeteer-core for the dashboard tests. */
export function chromiumBinary(): string | null {
  const candidates = [process.env.KELVIN_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  return candidates.find((p): p is string => typeof p === 'string' && p !== '' && existsSync(p)) ?? null;
}

/** A function, unlike the gates above, so only the dashboard tests say when it is missing. */
export const hasChromium = (): boolean => gate('Chromium', 'KELVIN_REQUIRE_CHROMIUM', chromiumBinary() ? null : 'chromium is not installed (apt-get install chromium)');

/** Debian's `docker-registry` (distribution 2.8), for images of platforms this machine cannot build. */
export const REGISTRY_BINARY = '/usr/bin/docker-registry';
export const hasRegistry = (): boolean =>
  gate('registry', 'KELVIN_REQUIRE_REGISTRY', existsSync(REGISTRY_BINARY) ? null : 'docker-registry is not installed (apt-get install docker-registry)');
