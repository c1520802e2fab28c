/**
 * Renews the manager's server certificate while it runs. A manager on a shelf runs for years; the
 * certificate it issued at start (825 days) must not lapse under it: twice a day the certificate is
 * checked with the same rule as at start (issueServerTls: 30 days left, same names, same CA) and,
 * when a new one was issued, handed to the listeners that serve it. Connections open keep their
 * session; new handshakes get the new certificate. Boards pin the CA, which does not change.
 */
import type { Logger } from '../../shared/logger.js';
import { issueServerTls, type ServerTls } from './cluster-tls.js';

export const RENEWAL_CHECK_MS = 12 * 3_600_000;

export interface ServerTlsRenewalOptions {
  dataDir: string;
  sans: readonly string[];
  initial: ServerTls;
  /** Serves a renewed certificate (broker, HTTPS API). */
  apply: (tls: ServerTls) => void;
  logger: Logger;
  now?: () => number;
  intervalMs?: number;
}

export class ServerTlsRenewal {
  private current: ServerTls;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly o: ServerTlsRenewalOptions) {
    this.current = o.initial;
  }

  get tls(): ServerTls {
    return this.current;
  }

  start(): void {
    this.timer = setInterval(() => this.check(), this.o.intervalMs ?? RENEWAL_CHECK_MS);
    this.timer.unref();
  }

  /** Renews now if due; true when a new certificate is being served. */
  check(): boolean {
    let next: ServerTls;
    try {
      next = issueServerTls(this.o.dataDir, this.o.sans, (this.o.now ?? Date.now)());
    } catch (err) {
      this.o.logger.error({ err }, 'could not renew the server certificate; keeping the current one');
      return false;
    }
    if (next.cert === this.current.cert) return false;
    this.current = next;
    this.o.apply(next);
    this.o.logger.info({ certPath: next.certPath }, 'server certificate renewed; new connections get it');
    return true;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
