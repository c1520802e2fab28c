import { describe, expect, it } from 'vitest';
import { decodeLogStream, FrameDecoder, frameLines } from '../../../../agent/runtime/docker/log-stream.js';

function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text, 'utf8');
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

async function* chunks(...parts: Buffer[]): AsyncGenerator<Buffer> {
  yield* parts;
}

describe('FrameDecoder', () => {
  it('reassembles frames split anywhere, including inside the 8-byte header', () => {
    const bytes = Buffer.concat([frame(1, 'hello\n'), frame(2, 'oops\n'), frame(1, 'bye\n')]);
    const decoder = new FrameDecoder();
    const frames = [];
    for (let i = 0; i < bytes.length; i += 3) frames.push(...decoder.push(bytes.subarray(i, i + 3)));
    expect(frames.map((f) => [f.stream, f.payload.toString()])).toEqual([
      ['stdout', 'hello\n'],
      ['stderr', 'oops\n'],
      ['stdout', 'bye\n'],
    ]);
  });

  it('holds an incomplete frame until the rest arrives', () => {
    const bytes = frame(1, 'abcdef\n');
    const decoder = new FrameDecoder();
    expect(decoder.push(bytes.subarray(0, 10))).toEqual([]);
    expect(decoder.push(bytes.subarray(10)).map((f) => f.payload.toString())).toEqual(['abcdef\n']);
  });
});

describe('frameLines', () => {
  it('takes each line time from the engine timestamp, to the millisecond', () => {
    const lines = frameLines('t1', { stream: 'stderr', payload: Buffer.from('2026-01-02T03:04:05.678901234Z disk full\n') });
    expect(lines).toEqual([{ taskId: 't1', ts: Date.parse('2026-01-02T03:04:05.678Z'), stream: 'stderr', text: 'disk full' }]);
  });

  it('keeps empty lines and text with spaces intact', () => {
    const payload = Buffer.from('2026-01-02T03:04:05Z \n2026-01-02T03:04:06Z a  b \n');
    expect(frameLines('t', { stream: 'stdout', payload }).map((l) => l.text)).toEqual(['', 'a  b ']);
  });

  it('falls back to the receive time for a line without a timestamp', () => {
    const lines = frameLines('t', { stream: 'stdout', payload: Buffer.from('plain\r\n') }, () => 42);
    expect(lines).toEqual([{ taskId: 't', ts: 42, stream: 'stdout', text: 'plain' }]);
  });
});

describe('decodeLogStream', () => {
  it('yields lines of both streams in order across chunk boundaries', async () => {
    const bytes = Buffer.concat([frame(1, '2026-01-01T00:00:00Z one\n'), frame(2, '2026-01-01T00:00:01Z two\n')]);
    const lines = [];
    for await (const line of decodeLogStream(chunks(bytes.subarray(0, 13), bytes.subarray(13)), 'task')) lines.push(line);
    expect(lines.map((l) => `${l.stream}:${l.text}`)).toEqual(['stdout:one', 'stderr:two']);
  });
});
