import { describe, expect, it } from 'vitest';
import { FINISHED_LOG_LINES, FINISHED_LOG_TASKS, FinishedLogs } from '../../../agent/runtime/finished-logs.js';
import type { LogLine } from '../../../shared/payloads/logs.js';

async function* lines(taskId: string, n: number, text = (i: number) => `line ${i}`): AsyncGenerator<LogLine> {
  for (let i = 0; i < n; i++) yield { taskId, ts: i, stream: 'stdout', text: text(i) };
}

async function texts(it: AsyncIterable<LogLine> | null): Promise<string[]> {
  const out: string[] = [];
  for await (const l of it ?? []) out.push(l.text);
  return out;
}

describe('FinishedLogs', () => {
  it('keeps the last lines of each task, bounded per task and in number of tasks, oldest task forgotten first', async () => {
    const logs = new FinishedLogs();
    await logs.keep('big', lines('big', FINISHED_LOG_LINES + 10));
    const kept = await texts(logs.logs('big', { tail: null, follow: false }));
    expect(kept).toHaveLength(FINISHED_LOG_LINES);
    expect(kept.at(-1)).toBe(`line ${FINISHED_LOG_LINES + 9}`);
    for (let i = 0; i < FINISHED_LOG_TASKS; i++) await logs.keep(`t${i}`, lines(`t${i}`, 1));
    expect(logs.logs('big', { tail: null, follow: false })).toBeNull();
    expect(await texts(logs.logs(`t${FINISHED_LOG_TASKS - 1}`, { tail: 1, follow: false }))).toEqual(['line 0']);
  });

  it('bounds a task by bytes too: a few huge lines keep only the latest that fit', async () => {
    const logs = new FinishedLogs();
    await logs.keep('huge', lines('huge', 10, (i) => `${i}`.padEnd(100_000, 'x')));
    const kept = await texts(logs.logs('huge', { tail: null, follow: false }));
    expect(kept.length).toBe(2);
    expect(kept[1]?.startsWith('9')).toBe(true);
  });
});
