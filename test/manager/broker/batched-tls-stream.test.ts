/**
 * The manager reads its broker connection over TLS in batches: a broker that writes every MQTT
 * packet as its own TLS record (Mosquitto does) reaches MQTT.js as a few large chunks, not one
 * chunk per record, with every byte in order, the end and errors passed on, and nothing lost when
 * the reader falls behind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchedTlsStream, connectBatchedTls } from '../../../manager/broker/batched-tls-stream.js';
import { issueServerTls, type ServerTls } from '../../../manager/tls/cluster-tls.js';

const RECORDS = 2000;
const RECORD = (i: number): string => `${String(i).padStart(6, '0')}:${'t'.repeat(290)}\n`;

let dir: string;
let tls: ServerTls;
let server: Server;
let port: number;
/** What the server does with each accepted connection. */
let onConnection: (socket: TLSSocket) => void;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kelvin-batched-tls-'));
  tls = issueServerTls(dir, ['127.0.0.1']);
  server = createServer({ cert: tls.cert, key: tls.key }, (socket) => onConnection(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

function sendRecords(socket: TLSSocket, count: number): void {
  for (let i = 0; i < count; i++) socket.write(RECORD(i));
  socket.end();
}

function readAll(stream: NodeJS.ReadableStream): Promise<{ chunks: number; text: string }> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => parts.push(chunk));
    stream.on('end', () => resolve({ chunks: parts.length, text: Buffer.concat(parts).toString() }));
    stream.on('error', reject);
  });
}

const expected = Array.from({ length: RECORDS }, (_, i) => RECORD(i)).join('');

describe('BatchedTlsStream', () => {
  it('passes the chunks that arrive in one turn of the event loop on as one', async () => {
    // What a TLS socket does with a burst of records from Mosquitto: one 'data' event per record.
    const records = new PassThrough();
    const batched = readAll(new BatchedTlsStream(records));
    for (let i = 0; i < RECORDS; i++) records.write(RECORD(i));
    records.end();
    const { chunks, text } = await batched;
    expect(text).toBe(expected);
    // 594 KB arrived at once: passed on in batches of at most 256 KiB, not in 2,000 pieces.
    expect(chunks).toBe(Math.ceil(expected.length / (256 * 1024)));
  });

  it('reads a real TLS connection: every byte in order, then the end', async () => {
    onConnection = (socket) => sendRecords(socket, RECORDS);
    const { text } = await readAll(connectBatchedTls({ host: '127.0.0.1', port, ca: tls.ca.certPem }));
    expect(text).toBe(expected);
  });

  it('loses nothing while its reader is not reading (the socket pauses, then resumes)', async () => {
    const big = 4 * RECORDS;
    onConnection = (socket) => sendRecords(socket, big);
    const stream: BatchedTlsStream = connectBatchedTls({ host: '127.0.0.1', port, ca: tls.ca.certPem });
    await new Promise((r) => setTimeout(r, 300));
    const { text } = await readAll(stream);
    expect(text).toBe(Array.from({ length: big }, (_, i) => RECORD(i)).join(''));
  });

  it('writes go to the server; a broker whose certificate the CA did not sign is an error', async () => {
    const received = new Promise<string>((resolve) => {
      onConnection = (socket) => socket.once('data', (d: Buffer) => (resolve(d.toString()), socket.end()));
    });
    const stream = connectBatchedTls({ host: '127.0.0.1', port, ca: tls.ca.certPem });
    stream.write('hello broker');
    expect(await received).toBe('hello broker');
    stream.destroy();

    const otherDir = mkdtempSync(join(tmpdir(), 'kelvin-batched-tls-other-'));
    try {
      const otherCa = issueServerTls(otherDir, ['127.0.0.1']).ca.certPem;
      const refused = connectBatchedTls({ host: '127.0.0.1', port, ca: otherCa });
      const err = await new Promise<NodeJS.ErrnoException>((resolve) => refused.on('error', resolve));
      expect(err.code).toMatch(/CERT|SIGNATURE|SELF_SIGNED/);
      expect(refused.destroyed).toBe(true);
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }
  });
});
