/**
 * While an agent waits out a reconnect delay after its broker refused connections (the manager,
 * with its embedded broker, is restarting), it knocks on the broker's TCP port every second or so:
 * a broker that accepts connections again is reconnected to at once, not at the end of the delay.
 * A knock is a bare TCP connect, closed straight away; the interval is jittered so a fleet's
 * knocks do not line up.
 */
import { connect, type Socket } from 'node:net';

const DEFAULT_PORTS: Record<string, number> = { 'mqtt:': 1883, 'tcp:': 1883, 'mqtts:': 8883, 'ws:': 80, 'wss:': 443 };

export interface BrokerProbe {
  cancel(): void;
}

/** Calls `onOpen` once, when the broker's port accepts a TCP connection; knocks until then or until cancelled. */
export function probeBroker(url: string, intervalMs: number, onOpen: () => void, random: () => number = Math.random): BrokerProbe {
  const parsed = new URL(url);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = parsed.port ? Number(parsed.port) : (DEFAULT_PORTS[parsed.protocol] ?? 1883);
  let timer: NodeJS.Timeout | null = null;
  let socket: Socket | null = null;
  let done = false;

  const knockLater = (): void => {
    socket = null;
    if (!done) timer = setTimeout(knock, Math.round(intervalMs * (0.5 + random() / 2)));
  };
  const knock = (): void => {
    timer = null;
    const s = connect({ host, port });
    socket = s;
    let settled = false;
    const failed = (): void => {
      if (settled) return;
      settled = true;
      s.destroy();
      knockLater();
    };
    s.setTimeout(intervalMs, failed);
    s.once('error', failed);
    s.once('connect', () => {
      settled = true;
      s.destroy();
      if (done) return;
      done = true;
      onOpen();
    });
  };

  knockLater();
  return {
    cancel() {
      done = true;
      if (timer) clearTimeout(timer);
      socket?.destroy();
    },
  };
}
