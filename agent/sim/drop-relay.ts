/**
 * A loopback TCP relay between one simulated board and the broker, so the simulator can cut the
 * board's connection the way a power loss does: no DISCONNECT packet, the socket just goes, and
 * the broker publishes the board's will. The agent's MqttSession owns its socket and only offers
 * an orderly stop, so boards a scenario will drop connect through one of these instead.
 * It relays bytes untouched (TLS passes through, but the broker certificate must then be valid
 * for 127.0.0.1).
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export class DropRelay {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private refusing = false;
  private port = 0;

  private constructor(
    private readonly target: { host: string; port: number },
    private readonly protocol: string,
  ) {
    this.server = createServer((client) => this.relay(client));
  }

  /** Starts a relay to the broker of `brokerUrl` (mqtt:// or mqtts://) on a free loopback port. */
  static async open(brokerUrl: string): Promise<DropRelay> {
    const url = new URL(brokerUrl);
    const port = Number(url.port || (url.protocol === 'mqtts:' ? 8883 : 1883));
    const relay = new DropRelay({ host: url.hostname.replace(/^\[|\]$/g, ''), port }, url.protocol);
    await new Promise<void>((resolve, reject) => {
      relay.server.once('error', reject);
      relay.server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = relay.server.address();
    relay.port = typeof address === 'object' && address ? address.port : 0;
    return relay;
  }

  /** The URL the board connects to instead of the broker's. */
  get url(): string {
    return `${this.protocol}//127.0.0.1:${this.port}`;
  }

  /** Kills every connection at once and refuses new ones until `restore()`. */
  cut(): void {
    this.refusing = true;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  restore(): void {
    this.refusing = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: Socket): void {
    if (this.refusing) {
      client.destroy();
      return;
    }
    const upstream = createConnection(this.target);
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.sockets.add(a);
      a.pipe(b);
      a.on('error', () => b.destroy());
      a.on('close', () => {
        this.sockets.delete(a);
        b.destroy();
      });
    }
  }
}
