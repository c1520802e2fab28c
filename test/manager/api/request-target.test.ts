/**
 * Client mistakes in the request line are answered 400 and never logged with a stack trace: raw
 * TCP requests with an absolute-form target that does not parse (`GET http://a:b:c/v1/nodes`).
 */
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, Router } from '../../../manager/api/router.js';
import { startApiServer, type ApiServer } from '../../../manager/api/server.js';

const logLines: string[] = [];
let api: ApiServer;

/** Sends one request exactly as written and returns the whole raw answer. */
function rawRequest(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(request));
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer in 10 s')));
  });
}

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  api = await startApiServer({
    host: '127.0.0.1',
    port: 0,
    router: new Router().add('GET', '/v1/nodes', () => json([])),
    verifyToken: (token) => token === 'right',
    logger: pino({ level: 'debug' }, sink),
  });
});

afterAll(async () => {
  await api?.close();
});

describe('request targets', () => {
  it('answers a malformed absolute-form target with 400 and logs no stack trace', async () => {
    const answer = await rawRequest(api.port, 'GET http://a:b:c/v1/nodes HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain('{"error":{"code":"bad_request","message":"the request target is neither a path nor an absolute URL"}}');
    expect(logLines.filter((l) => /"level":50|stack/.test(l))).toEqual([]);
  });

  it('serves a well-formed absolute-form target like its path', async () => {
    const answer = await rawRequest(api.port, 'GET http://127.0.0.1/v1/nodes HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer right\r\nConnection: close\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer.endsWith('[]\n')).toBe(true);
  });
});
