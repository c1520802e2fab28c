import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { probeBroker, type BrokerProbe } from '../../agent/broker-probe.js';
import { freePort } from '../helpers/mosquitto.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('probeBroker', () => {
  let server: Server | null = null;
  let probe: BrokerProbe | null = null;
  afterEach(async () => {
    probe?.cancel();
    await new Promise((r) => (server ? server.close(r) : r(null)));
    server = probe = null;
  });

  async function listen(port: number): Promise<{ knocks: () => number }> {
    let knocks = 0;
    server = createServer((socket) => {
      knocks++;
      socket.destroy();
    });
    await new Promise<void>((r) => server!.listen(port, '127.0.0.1', r));
    return { knocks: () => knocks };
  }

  it('calls back once, as soon as the port accepts connections, and knocks no more', async () => {
    const port = await freePort();
    let opened = 0;
    probe = probeBroker(`mqtt://127.0.0.1:${port}`, 100, () => opened++);
    await sleep(400);
    expect(opened).toBe(0);
    const { knocks } = await listen(port);
    const deadline = Date.now() + 5000;
    while (opened === 0 && Date.now() < deadline) await sleep(20);
    expect(opened).toBe(1);
    await sleep(400);
    expect(opened).toBe(1);
    expect(knocks()).toBe(1);
  });

  it('stops knocking when cancelled', async () => {
    const port = await freePort();
    let opened = 0;
    probe = probeBroker(`mqtt://127.0.0.1:${port}`, 100, () => opened++);
    await sleep(150);
    probe.cancel();
    const { knocks } = await listen(port);
    await sleep(400);
    expect([opened, knocks()]).toEqual([0, 0]);
  });
});
