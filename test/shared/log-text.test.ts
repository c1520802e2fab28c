/** Log lines for people: what `--log-format text` (and a terminal) shows instead of JSON. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatLogLine } from '../../shared/log-text.js';
import { spawnKelvin } from '../helpers/cli.js';

const TOKEN = 'KLVN-1-abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrst-secretpart';

describe('formatLogLine', () => {
  it('prints time, level, logger and message, then the fields as key=value', () => {
    const json = JSON.stringify({ level: 40, time: Date.UTC(2026, 0, 2, 3, 4, 5, 6), pid: 1, hostname: 'h', name: 'kelvin-agent', component: 'mqtt', msg: 'broker connection error', err: 'ECONNREFUSED', attempt: 3 });
    expect(formatLogLine(json, false)).toBe('03:04:05.006 WARN  kelvin-agent/mqtt: broker connection error err=ECONNREFUSED attempt=3\n');
  });

  it('shows an error by its message, never its stack, and escapes what a board sent', () => {
    const json = JSON.stringify({ level: 50, time: 0, name: 'kelvin-manager', msg: 'failed', err: { type: 'Error', message: 'no engine', stack: 'Error: no engine\n    at x' }, host: 'evil\x1b]0;owned\x07' });
    expect(formatLogLine(json, false)).toBe('00:00:00.000 ERROR kelvin-manager: failed err=no engine host=evil\\x1b]0;owned\\x07\n');
  });
});

describe('--log-format', () => {
  it('gives human lines with text, JSON lines with json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kelvin-logfmt-'));
    const firstLine = async (format: string): Promise<string> => {
      const child = spawnKelvin(['--log-format', format, 'agent', '--broker', 'mqtts://127.0.0.1:1', '--token', TOKEN, '--state-dir', join(dir, format)]);
      let err = '';
      const line = await new Promise<string>((resolve) => {
        child.stderr?.on('data', (d: Buffer) => {
          err += d.toString();
          if (err.includes('\n')) resolve(err.split('\n')[0] ?? '');
        });
        setTimeout(() => resolve(err), 15_000);
      });
      child.kill('SIGKILL');
      return line;
    };
    try {
      expect(await firstLine('text')).toMatch(/^\d\d:\d\d:\d\d\.\d{3} WARN {2}kelvin-agent: cannot reach the broker to pin its CA; retrying err="connect ECONNREFUSED 127\.0\.0\.1:1"$/);
      expect(JSON.parse(await firstLine('json'))).toMatchObject({ level: 40, msg: 'cannot reach the broker to pin its CA; retrying' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
