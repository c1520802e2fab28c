/**
 * A real image registry for one test file: Debian's `docker-registry` (distribution 2.8) on a free
 * loopback port (Docker talks plain HTTP to 127.0.0.0/8 registries), storage in a temp dir. Images
 * are pushed over the registry API v2 with plain HTTP: one small layer and config per platform,
 * one OCI image manifest each, and an OCI index listing them, so a test can publish an image for
 * platforms this machine cannot build.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { freePort } from './mosquitto.js';
import { REGISTRY_BINARY } from './requirements.js';

export interface RunningRegistry {
  /** `127.0.0.1:PORT`, the image name's registry part. */
  host: string;
  stop(): Promise<void>;
}

export interface RegistryPlatform {
  os: string;
  architecture: string;
  variant?: string;
}

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

export async function startRegistry(): Promise<RunningRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'kelvin-registry-'));
  const port = await freePort();
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    ['version: 0.1', 'log:', '  level: warn', 'storage:', '  filesystem:', `    rootdirectory: ${join(dir, 'data')}`, 'http:', `  addr: 127.0.0.1:${port}`, ''].join('\n'),
  );
  const child = spawn(REGISTRY_BINARY, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2_000)));
  const host = `127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await fetch(`http://${host}/v2/`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`docker-registry did not answer on ${host}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    host,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function digest(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

async function check(res: Response, what: string): Promise<Response> {
  if (!res.ok) throw new Error(`registry refused ${what}: ${res.status} ${await res.text()}`);
  return res;
}

async function pushBlob(host: string, repo: string, data: Buffer): Promise<{ digest: string; size: number }> {
  const d = digest(data);
  const started = await check(await fetch(`http://${host}/v2/${repo}/blobs/uploads/`, { method: 'POST' }), 'a blob upload');
  const location = new URL(started.headers.get('location') ?? '', `http://${host}`);
  location.searchParams.set('digest', d);
  await check(await fetch(location, { method: 'PUT', body: data, headers: { 'Content-Type': 'application/octet-stream' } }), `blob ${d}`);
  return { digest: d, size: data.length };
}

async function putManifest(host: string, repo: string, reference: string, mediaType: string, body: unknown): Promise<{ digest: string; size: number }> {
  const data = Buffer.from(JSON.stringify(body));
  await check(await fetch(`http://${host}/v2/${repo}/manifests/${reference}`, { method: 'PUT', body: data, headers: { 'Content-Type': mediaType } }), `manifest ${reference}`);
  return { digest: digest(data), size: data.length };
}

/** A one-file tar archive (the layer's content does not matter: nothing here runs it). */
function tarOf(name: string, content: string): Buffer {
  const body = Buffer.from(content);
  const header = Buffer.alloc(512);
  header.write(name, 0);
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(`${body.length.toString(8).padStart(11, '0')}\0`, 124);
  header.write('00000000000\0', 136);
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\0', 257);
  header.write('00', 263);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const padded = Buffer.alloc(Math.ceil(body.length / 512) * 512);
  body.copy(padded);
  return Buffer.concat([header, padded, Buffer.alloc(1024)]);
}

/** Pushes `repo:tag` as an OCI index of one image per platform; returns the image name to run. */
export async function pushIndex(registry: RunningRegistry, repo: string, tag: string, platforms: RegistryPlatform[]): Promise<string> {
  const { host } = registry;
  const manifests = [];
  for (const platform of platforms) {
    const tar = tarOf('platform', `${platform.os}/${platform.architecture}${platform.variant ? `/${platform.variant}` : ''}\n`);
    const layer = await pushBlob(host, repo, gzipSync(tar));
    const config = await pushBlob(
      host,
      repo,
      Buffer.from(JSON.stringify({ ...platform, config: { Cmd: ['/platform'] }, rootfs: { type: 'layers', diff_ids: [digest(tar)] } })),
    );
    const manifest = {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }],
    };
    const pushed = await putManifest(host, repo, digest(Buffer.from(JSON.stringify(manifest))), OCI_MANIFEST, manifest);
    manifests.push({ mediaType: OCI_MANIFEST, ...pushed, platform });
  }
  await putManifest(host, repo, tag, OCI_INDEX, { schemaVersion: 2, mediaType: OCI_INDEX, manifests });
  return `${host}/${repo}:${tag}`;
}
