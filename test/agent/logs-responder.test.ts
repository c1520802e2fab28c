import { describe, expect, it } from 'vitest';
import { LogsResponder } from '../../agent/logs-responder.js';
import type { LogOptions } from '../../agent/runtime/types.js';
import { silentLogger } from '../../shared/logger.js';
import type { LogLine, LogsChunk, LogsRequest } from '../../shared/payloads/logs.js';
import { decodePayload, encode, MAX_PAYLOAD_BYTES } from '../../shared/wire.js';

function request(over: Partial<LogsRequest> = {}): LogsRequest {
  return { v: 1, requestId: 'r1', taskId: 't1', tail: null, follow: false, cancel: false, ...over };
}

function line(i: number, text = `line ${i}`): LogLine {
  return { taskId: 't1', ts: 1_700_000_000_000 + i, stream: i % 2 ? 'stderr' : 'stdout', text };
}

/** A log source that yields `lines`, then (when following) waits for `push` or the abort signal. */
function source(lines: LogLine[]) {
  const seen: LogOptions[] = [];
  let pending: ((l: LogLine | null) => void) | null = null;
  const queue: LogLine[] = [];
  return {
    seen,
    push(l: LogLine) {
      const wake = pending;
      pending = null;
      if (wake) wake(l);
      else queue.push(l);
    },
    async *logs(taskId: string, options: LogOptions): AsyncIterable<LogLine> {
      if (taskId !== 't1') throw new Error(`no task '${taskId}' on this node`);
      seen.push(options);
      const start = options.tail === null ? 0 : Math.max(0, lines.length - options.tail);
      yield* lines.slice(start);
      while (options.follow && !options.signal?.aborted) {
        const next = queue.shift() ?? (await new Promise<LogLine | null>((resolve) => {
          pending = resolve;
          options.signal?.addEventListener('abort', () => resolve(null), { once: true });
        }));
        if (next === null) return;
        yield next;
      }
    },
  };
}

function responder(src: ReturnType<typeof source>, over: Partial<ConstructorParameters<typeof LogsResponder>[0]> = {}) {
  const chunks: LogsChunk[] = [];
  const r = new LogsResponder({ logs: (id, o) => src.logs(id, o), publish: (c) => chunks.push(c), logger: silentLogger(), flushMs: 20, ...over });
  return { r, chunks };
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const allLines = (chunks: LogsChunk[]) => chunks.flatMap((c) => c.lines.map((l) => l.text));

describe('LogsResponder', () => {
  it('answers a tail request with the last lines and a final done chunk', async () => {
    const src = source([0, 1, 2, 3, 4].map((i) => line(i)));
    const { r, chunks } = responder(src);
    r.handle(request({ tail: 2 }));
    await until(() => chunks.some((c) => c.done));
    expect(allLines(chunks)).toEqual(['line 3', 'line 4']);
    expect(chunks.at(-1)).toMatchObject({ requestId: 'r1', done: true, error: null });
    expect(src.seen[0]).toMatchObject({ tail: 2, follow: false });
    expect(r.active).toBe(0);
  });

  it('splits a large log into chunks that each fit the wire limit and decode', async () => {
    const big = Array.from({ length: 3000 }, (_, i) => line(i, `${i} ${'x'.repeat(200)}`));
    const { r, chunks } = responder(source(big));
    r.handle(request());
    await until(() => chunks.some((c) => c.done));
    expect(chunks.length).toBeGreaterThan(5);
    for (const c of chunks) {
      const bytes = encode(c);
      expect(bytes.byteLength).toBeLessThan(MAX_PAYLOAD_BYTES);
      expect(decodePayload('logs', bytes).ok).toBe(true);
    }
    expect(allLines(chunks)).toEqual(big.map((l) => l.text));
  });

  it('cuts a single line too long for one chunk, marking the cut', async () => {
    const { r, chunks } = responder(source([line(0, '\u0001'.repeat(100_000))]));
    r.handle(request());
    await until(() => chunks.some((c) => c.done));
    const text = allLines(chunks)[0] ?? '';
    expect(text.endsWith(' [truncated]')).toBe(true);
    expect(encode(chunks[0]).byteLength).toBeLessThan(MAX_PAYLOAD_BYTES);
  });

  it('follows: new lines arrive in prompt batches until cancelled', async () => {
    const src = source([line(0)]);
    const { r, chunks } = responder(src);
    r.handle(request({ follow: true }));
    await until(() => allLines(chunks).length === 1);
    expect(chunks.every((c) => !c.done)).toBe(true);
    src.push(line(1));
    src.push(line(2));
    await until(() => allLines(chunks).length === 3);
    r.handle(request({ cancel: true }));
    expect(chunks.at(-1)).toMatchObject({ done: true, error: null });
    expect(r.active).toBe(0);
    src.push(line(3));
    await new Promise((res) => setTimeout(res, 50));
    expect(allLines(chunks)).toEqual(['line 0', 'line 1', 'line 2']);
  });

  it('answers an unknown task with a done chunk naming it', async () => {
    const { r, chunks } = responder(source([]));
    r.handle(request({ taskId: 'nope' }));
    await until(() => chunks.length === 1);
    expect(chunks[0]).toMatchObject({ done: true, lines: [], error: "no task 'nope' on this node" });
  });

  it('refuses streams beyond its limit and a duplicate request id', async () => {
    const { r, chunks } = responder(source([]), { maxStreams: 2 });
    r.handle(request({ requestId: 'a', follow: true }));
    r.handle(request({ requestId: 'b', follow: true }));
    r.handle(request({ requestId: 'a', follow: true }));
    r.handle(request({ requestId: 'c', follow: true }));
    expect(chunks.map((c) => [c.requestId, c.error])).toEqual([
      ['a', "request id 'a' is already being answered"],
      ['c', 'too many log streams open (2); cancel one first'],
    ]);
    r.close();
    expect(r.active).toBe(0);
    expect(chunks.filter((c) => c.done && c.error === null).map((c) => c.requestId).sort()).toEqual(['a', 'b']);
  });
});
