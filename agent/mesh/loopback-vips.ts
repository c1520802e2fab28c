/**
 * Services' virtual addresses (shared/service-vip.ts) on the board's `lo`, each as a /32
 * (`ip addr add VIP/32 dev lo`, iproute2), so a container reaches them through its default gateway
 * (a packet to a local address is delivered on the host whatever interface it came in on) and the
 * mesh can listen there. Added when a service enters the endpoint list, removed when it leaves
 * and when the agent stops. An address that is already there (another agent on this machine, or
 * one an agent killed with -9 left) is used but never removed by this agent. Without the right
 * (CAP_NET_ADMIN) or without `ip`, it says so once and tries no more: process tasks still reach
 * services through the loopback twins, which need nothing configured.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Logger } from '../../shared/logger.js';

/** Absolute: an agent may run with a board's minimal PATH. */
const IP_BIN = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].find((p) => existsSync(p)) ?? 'ip';

export type IpRunner = (args: string[]) => Promise<void>;

const runIp: IpRunner = (args) =>
  new Promise((resolve, reject) => {
    execFile(IP_BIN, args, { timeout: 5000 }, (err, _stdout, stderr) => (err ? reject(new Error(String(stderr).trim() || err.message)) : resolve()));
  });

export interface LoopbackVipsOptions {
  logger: Logger;
  /** Called when the set of usable addresses changed. */
  onChange: () => void;
  run?: IpRunner;
}

export class LoopbackVips {
  /** Addresses on `lo` the mesh may listen on. */
  private readonly usable = new Set<string>();
  /** Those this agent added, and so removes. */
  private readonly owned = new Set<string>();
  private wanted = new Set<string>();
  private pumping: Promise<void> | null = null;
  private disabled = false;
  private readonly run: IpRunner;

  constructor(private readonly o: LoopbackVipsOptions) {
    this.run = o.run ?? runIp;
  }

  has(vip: string): boolean {
    return this.usable.has(vip);
  }

  /** The addresses the endpoint list asks for now; added and removed in the background. */
  want(vips: Set<string>): void {
    this.wanted = vips;
    this.pumping ??= this.pump().finally(() => (this.pumping = null));
  }

  /** Removes every address this agent added. */
  async close(): Promise<void> {
    this.wanted = new Set();
    await this.pumping;
    await this.pump();
  }

  private async pump(): Promise<void> {
    let changed = false;
    for (;;) {
      const add = this.disabled ? undefined : [...this.wanted].find((v) => !this.usable.has(v));
      const drop = [...this.usable].find((v) => !this.wanted.has(v));
      if (add === undefined && drop === undefined) break;
      changed = true;
      if (drop !== undefined) await this.remove(drop);
      else if (add !== undefined) await this.add(add);
    }
    if (changed) this.o.onChange();
  }

  private async add(vip: string): Promise<void> {
    try {
      await this.run(['addr', 'add', `${vip}/32`, 'dev', 'lo']);
      this.owned.add(vip);
      this.usable.add(vip);
    } catch (err) {
      const message = (err as Error).message;
      if (/exists/i.test(message)) {
        this.usable.add(vip);
        return;
      }
      this.disabled = true;
      this.o.logger.error(
        { vip, err: message },
        "cannot put services' virtual addresses on lo (needs CAP_NET_ADMIN and iproute2's ip): containers on this board cannot reach services by name; process tasks still can",
      );
    }
  }

  private async remove(vip: string): Promise<void> {
    this.usable.delete(vip);
    if (!this.owned.delete(vip)) return;
    await this.run(['addr', 'del', `${vip}/32`, 'dev', 'lo']).catch((err: Error) => this.o.logger.warn({ vip, err: err.message }, 'could not remove a virtual address from lo'));
  }
}
