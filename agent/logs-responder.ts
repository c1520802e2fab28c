/**
 * Answers `logs-request` messages: streams a task's log lines back on the `logs` topic in batches,
 * each chunk kept under the wire limit (64 KiB), honouring tail, follow and cancel. A follow stream
 * flushes a partial batch after a short wait so lines trickling in still arrive promptly.
 */
import type { Logger } from '../shared/logger.js';
import type { LogLine, LogsChunk, LogsRequest } from '../shared/payloads/logs.js';
import { MAX_PAYLOAD_BYTES } from '../shared/wire.js';
import type { LogOptions } from './runtime/types.js';

export interface LogsResponderOptions {
  logs: (taskId: string, options: LogOptions) => AsyncIterable<LogLine>;
  /** Sends one chunk (dropped by the session while disconnected). */
  publish: (chunk: LogsChunk) => void;
  logger: Logger;
  /** How long a partial batch waits for more lines before it is sent. */
  flushMs?: number;
  /** Chunk size budget in bytes of JSON; below MAX_PAYLOAD_BYTES with room to spare. */
  maxChunkBytes?: number;
  /** Concurrent streams; a request beyond this is answered with an error. */
  maxStreams?: number;
}

const TRUNCATED = ' [truncated]';
const MAX_ERROR_CHARS = 1000;

interface Stream {
  abort: AbortController;
  finished: boolean;
}

export class LogsResponder {
  private readonly streams = new Map<string, Stream>();
  private readonly flushMs: number;
  private readonly maxChunkBytes: number;
  private readonly maxStreams: number;

  constructor(private readonly options: LogsResponderOptions) {
    this.flushMs = options.flushMs ?? 200;
    this.maxChunkBytes = Math.min(options.maxChunkBytes ?? 60 * 1024, MAX_PAYLOAD_BYTES);
    this.maxStreams = options.maxStreams ?? 16;
  }

  /** Number of requests being answered now. */
  get active(): number {
    return this.streams.size;
  }

  handle(request: LogsRequest): void {
    const existing = this.streams.get(request.requestId);
    if (request.cancel) {
      if (existing) this.finish(request.requestId, existing, null);
      return;
    }
    if (existing) return this.reply(request.requestId, [], `request id '${request.requestId}' is already being answered`);
    if (this.streams.size >= this.maxStreams) {
      return this.reply(request.requestId, [], `too many log streams open (${this.maxStreams}); cancel one first`);
    }
    const stream: Stream = { abort: new AbortController(), finished: false };
    this.streams.set(request.requestId, stream);
    void this.run(request, stream);
  }

  /** Ends every stream (agent shutdown); each gets its final chunk. */
  close(): void {
    for (const [id, stream] of this.streams) this.finish(id, stream, null);
  }

  private async run(request: LogsRequest, stream: Stream): Promise<void> {
    const { requestId } = request;
    const emptySize = chunkBytes({ v: 1, requestId, lines: [], done: false, error: null });
    let batch: LogLine[] = [];
    let batchBytes = emptySize;
    let timer: NodeJS.Timeout | null = null;
    const flush = (): void => {
      if (timer) clearTimeout(timer);
      timer = null;
      if (batch.length === 0 || stream.finished) return;
      this.options.publish({ v: 1, requestId, lines: batch, done: false, error: null });
      batch = [];
      batchBytes = emptySize;
    };
    let error: string | null = null;
    try {
      const lines = this.options.logs(request.taskId, { tail: request.tail, follow: request.follow, signal: stream.abort.signal });
      for await (const raw of lines) {
        if (stream.finished) break;
        // +1 for the comma between array elements.
        const line = fitLine(raw, this.maxChunkBytes - emptySize - 1);
        const size = Buffer.byteLength(JSON.stringify(line)) + 1;
        if (batchBytes + size > this.maxChunkBytes) flush();
        batch.push(line);
        batchBytes += size;
        timer ??= setTimeout(flush, this.flushMs);
      }
    } catch (err) {
      if (!stream.abort.signal.aborted) error = err instanceof Error ? err.message : String(err);
    }
    if (timer) clearTimeout(timer);
    // The last lines ride on the closing chunk.
    this.finish(requestId, stream, error, batch);
  }

  private finish(requestId: string, stream: Stream, error: string | null, lines: LogLine[] = []): void {
    if (stream.finished) return;
    stream.finished = true;
    stream.abort.abort();
    this.streams.delete(requestId);
    this.reply(requestId, lines, error);
  }

  private reply(requestId: string, lines: LogLine[], error: string | null): void {
    if (error) this.options.logger.debug({ requestId, error }, 'log request ended with an error');
    this.options.publish({ v: 1, requestId, lines, done: true, error: error === null ? null : error.slice(0, MAX_ERROR_CHARS) });
  }
}

function chunkBytes(chunk: LogsChunk): number {
  return Buffer.byteLength(JSON.stringify(chunk));
}

/** Cuts a line whose JSON would not fit in `budget` bytes on its own, marking the cut. */
function fitLine(line: LogLine, budget: number): LogLine {
  let size = Buffer.byteLength(JSON.stringify(line));
  if (size <= budget) return line;
  let text = line.text;
  while (size > budget && text.length > 0) {
    text = text.slice(0, Math.max(0, Math.floor((text.length * budget) / size) - TRUNCATED.length - 8));
    size = Buffer.byteLength(JSON.stringify({ ...line, text: text + TRUNCATED }));
  }
  return { ...line, text: text + TRUNCATED };
}
