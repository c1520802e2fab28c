import { describe, expect, it } from 'vitest';
import { interpolate } from '../../../shared/stack/interpolate.js';

const env = { TAG: '1.4', EMPTY: '', HOST: 'pi-01' };

function value(text: string): string {
  const r = interpolate(text, env);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

function error(text: string): string {
  const r = interpolate(text, env);
  if (r.ok) throw new Error(`expected an error, got '${r.value}'`);
  return r.error;
}

describe('interpolate', () => {
  it('substitutes $VAR and ${VAR}', () => {
    expect(value('app:$TAG')).toBe('app:1.4');
    expect(value('app:${TAG}-arm64')).toBe('app:1.4-arm64');
    expect(value('$HOST.local')).toBe('pi-01.local');
  });

  it('uses an empty string for an unset variable and reports it', () => {
    expect(interpolate('a${NOPE}b$ALSO_NOPE', env)).toEqual({ ok: true, value: 'ab', unset: ['NOPE', 'ALSO_NOPE'] });
    expect(interpolate('${TAG}', env)).toEqual({ ok: true, value: '1.4', unset: [] });
  });

  it(':- defaults when unset or empty, - only when unset', () => {
    expect(value('${NOPE:-latest}')).toBe('latest');
    expect(value('${EMPTY:-latest}')).toBe('latest');
    expect(value('${TAG:-latest}')).toBe('1.4');
    expect(value('${NOPE-latest}')).toBe('latest');
    expect(value('${EMPTY-latest}')).toBe('');
  });

  it(':+ and + substitute the alternative only when the variable has a value', () => {
    expect(value('${TAG:+--debug}')).toBe('--debug');
    expect(value('${EMPTY:+--debug}')).toBe('');
    expect(value('${EMPTY+--debug}')).toBe('--debug');
    expect(value('${NOPE+--debug}')).toBe('');
  });

  it('interpolates nested defaults, and only when they are used', () => {
    expect(value('${NOPE:-${HOST}}')).toBe('pi-01');
    expect(value('${NOPE:-${ALSO_NOPE:-x}}')).toBe('x');
    expect(value('${TAG:-${MISSING:?never evaluated}}')).toBe('1.4');
  });

  it('$$ is a literal dollar and stops interpolation', () => {
    expect(value('price: $$5 and $$TAG')).toBe('price: $5 and $TAG');
    expect(value("awk '{print $$1}'")).toBe("awk '{print $1}'");
  });

  it('keeps a $ that starts no variable, as Compose does', () => {
    expect(value('cost $ 5')).toBe('cost $ 5');
    expect(value('$1 and trailing $')).toBe('$1 and trailing $');
  });

  it(':? and ? fail naming the variable and the message', () => {
    expect(error('${NOPE:?set NOPE to the registry}')).toBe("required variable 'NOPE' is not set or empty: set NOPE to the registry");
    expect(error('${EMPTY:?}')).toBe("required variable 'EMPTY' is not set or empty");
    expect(error('${NOPE?}')).toBe("required variable 'NOPE' is not set");
    expect(value('${EMPTY?unused}')).toBe('');
    expect(value('${TAG:?unused}')).toBe('1.4');
  });

  it('rejects malformed braces', () => {
    expect(error('${}')).toBe("invalid interpolation format '${}' (use $$ for a literal $)");
    expect(error('${TAG/1/2}')).toBe("invalid interpolation format '${TAG/1/2}' (use $$ for a literal $)");
    expect(error('${1X}')).toBe("invalid interpolation format '${1X}' (use $$ for a literal $)");
    expect(error('app:${TAG')).toBe("invalid interpolation format in 'app:${TAG': '${' is never closed (use $$ for a literal $)");
  });
});
