/**
 * Whether a broker connection is still alive, for refusing a second connection of the same node.
 * A connection is alive while it is open and has sent something (any packet; an idle MQTT client
 * pings once per keepalive) within its keepalive. One silent for longer is most likely half-open:
 * the board lost power or network and its TCP connection has not noticed yet. aedes itself only
 * drops it at 1.5 x keepalive; the board's new connection may replace it from 1 x keepalive on.
 */
import type { Client } from 'aedes';

export class SessionLiveness {
  private readonly keepaliveMs = new WeakMap<Client, number>();
  private readonly lastHeard = new WeakMap<Client, number>();

  constructor(private readonly now: () => number) {}

  /** At CONNECT: the keepalive the client asked for, in seconds (0: none). */
  connecting(client: Client, keepaliveS: number): void {
    this.keepaliveMs.set(client, keepaliveS * 1000);
    this.lastHeard.set(client, this.now());
  }

  heard(client: Client): void {
    this.lastHeard.set(client, this.now());
  }

  alive(client: Client): boolean {
    if (client.closed) return false;
    const keepalive = this.keepaliveMs.get(client) ?? 0;
    // Without a keepalive there is no way to tell a silent session from a dead one: it stays.
    if (keepalive === 0) return true;
    return this.now() - (this.lastHeard.get(client) ?? 0) < keepalive;
  }
}
