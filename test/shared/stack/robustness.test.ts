import { describe, expect, it } from 'vitest';
import { parseStackFile } from '../../../shared/stack/index.js';
import { fixture } from './parse-helpers.js';

const ODD_VALUES = ['', '[]', '{}', '-1', '1.5', 'true', '"${"', '"$$"', '*nope', '[{a: [b]}]', '"   "'];

describe('parseStackFile on damaged files', () => {
  it('never throws: every mangled value of the sample stack gives a result with one-line messages', () => {
    const lines = fixture('edge-stack.yml').split('\n');
    let rejected = 0;
    for (let i = 0; i < lines.length; i++) {
      const m = /^(\s*(?:- )?[\w.-]+:)\s*\S/.exec(lines[i] ?? '');
      if (!m) continue;
      for (const value of ODD_VALUES) {
        const text = [...lines.slice(0, i), `${m[1]} ${value}`, ...lines.slice(i + 1)].join('\n');
        const result = parseStackFile(text, { file: 'stack.yml', env: {} });
        const messages = result.ok ? result.warnings : result.errors;
        for (const message of messages) expect(message).not.toContain('\n');
        if (!result.ok) {
          rejected++;
          expect(result.errors.length).toBeGreaterThan(0);
        }
      }
    }
    expect(rejected).toBeGreaterThan(100);
  });

  it('never throws on a truncated file', () => {
    const text = fixture('edge-stack.yml');
    for (let end = 0; end < text.length; end += 7) {
      expect(() => parseStackFile(text.slice(0, end), { file: 'stack.yml', env: {} })).not.toThrow();
    }
  });
});
