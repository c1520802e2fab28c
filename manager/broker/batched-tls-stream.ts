/**
 * The manager's MQTT connection over TLS, read in batches. A broker such as Mosquitto writes each
 * MQTT packet as a TLS record of its own, and Node hands every record to JavaScript as a separate
 * chunk, so MQTT.js would run its stream pipeline, parser and packet queue once per telemetry
 * sample (over plain TCP one read carries a hundred packets). This stream collects the records
 * that arrive in one turn of the event loop and passes them on as one chunk.
 */
import { Duplex } from 'node:stream';
import { connect, type ConnectionOptions } from 'node:tls';

/** A batch is passed on early at this size, so one burst never grows into a large copy. */
const MAX_BATCH_BYTES = 256 * 1024;

export class BatchedTlsStream extends Duplex {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private flushQueued = false;

  /** `tls`: the connection to read in batches (a TLS socket; any duplex byte stream works). */
  constructor(private readonly tls: Duplex) {
    super({ readableHighWaterMark: MAX_BATCH_BYTES });
    tls.on('data', (chunk: Buffer) => this.collect(chunk));
    tls.on('end', () => {
      this.flush();
      this.push(null);
    });
    tls.on('error', (err) => this.destroy(err));
    tls.on('close', () => {
      if (!this.destroyed) this.destroy();
    });
  }

  override _read(): void {
    this.tls.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error | null) => void): void {
    this.tls.write(chunk, done);
  }

  override _final(done: (err?: Error | null) => void): void {
    this.tls.end(() => done());
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    this.tls.destroy(err ?? undefined);
    done(err);
  }

  private collect(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= MAX_BATCH_BYTES) {
      this.flush();
    } else if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(() => {
        this.flushQueued = false;
        this.flush();
      });
    }
  }

  private flush(): void {
    if (this.pending.length === 0 || this.destroyed) return;
    const batch = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    // MQTT.js reads more slowly than the broker sends: stop reading the socket until it catches up.
    if (!this.push(batch)) this.tls.pause();
  }
}

/** Opens the TLS connection to the broker, wrapped; errors and close reach MQTT.js through the wrapper. */
export function connectBatchedTls(options: ConnectionOptions): BatchedTlsStream {
  return new BatchedTlsStream(connect(options));
}
