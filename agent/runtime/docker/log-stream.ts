/**
 * Decodes the engine's log stream. Without a TTY the engine multiplexes stdout and stderr into
 * frames: an 8-byte header (byte 0 = stream: 1 stdout, 2 stderr; bytes 4..7 = payload length,
 * big-endian) then the payload. With `timestamps=true` every line starts with an RFC 3339 time.
 */
import type { LogLine } from '../../../shared/payloads/logs.js';

export type StreamName = LogLine['stream'];

export interface Frame {
  stream: StreamName;
  payload: Buffer;
}

const HEADER_BYTES = 8;

/** Reassembles frames from arbitrarily split chunks. */
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Frame[] = [];
    while (this.pending.length >= HEADER_BYTES) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < HEADER_BYTES + size) break;
      frames.push({
        stream: this.pending[0] === 2 ? 'stderr' : 'stdout',
        payload: this.pending.subarray(HEADER_BYTES, HEADER_BYTES + size),
      });
      this.pending = this.pending.subarray(HEADER_BYTES + size);
    }
    return frames;
  }
}

const TIMESTAMPED = /^(\d{4}-\d{2}-\d{2}T\S+) (.*)$/s;

/**
 * Lines of one frame. The engine writes one log entry per frame; an entry without a trailing
 * newline (a long line the json-file driver split) still becomes its own line.
 */
export function frameLines(taskId: string, frame: Frame, now: () => number = Date.now): LogLine[] {
  const text = frame.payload.toString('utf8');
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  if (text === '') return [];
  return body.split('\n').map((raw) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const m = TIMESTAMPED.exec(line);
    const parsed = m ? Date.parse(m[1] ?? '') : NaN;
    return Number.isNaN(parsed)
      ? { taskId, ts: now(), stream: frame.stream, text: line }
      : { taskId, ts: parsed, stream: frame.stream, text: m?.[2] ?? '' };
  });
}

/** Log lines from a raw multiplexed byte stream (an engine logs response). */
export async function* decodeLogStream(source: AsyncIterable<Buffer>, taskId: string): AsyncGenerator<LogLine> {
  const decoder = new FrameDecoder();
  for await (const chunk of source) {
    for (const frame of decoder.push(chunk)) yield* frameLines(taskId, frame);
  }
}
