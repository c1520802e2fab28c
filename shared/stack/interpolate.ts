/**
 * Compose-spec variable interpolation, as `docker stack deploy` applies it to every value:
 * `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?err}`, `${VAR?err}`,
 * `${VAR:+alt}`, `${VAR+alt}`, nesting inside the default/alt/err text, and `$$` for a literal `$`.
 * A `$` not followed by a name, `{` or `$` stays as written, as in Compose.
 */

export type Environment = Record<string, string | undefined>;

export type InterpolationResult =
  | { ok: true; value: string; /** Variables used without a value or default (Compose warns and uses ""). */ unset: string[] }
  | { ok: false; error: string };

const NAME = /^[_a-zA-Z][_a-zA-Z0-9]*/;
const BRACED = /^([_a-zA-Z][_a-zA-Z0-9]*)(?:(:?[-?+])([\s\S]*))?$/;

class InterpolationError extends Error {}

export function interpolate(text: string, env: Environment): InterpolationResult {
  const unset: string[] = [];
  try {
    return { ok: true, value: expand(text, env, unset), unset };
  } catch (e) {
    if (e instanceof InterpolationError) return { ok: false, error: e.message };
    throw e;
  }
}

function expand(text: string, env: Environment, unset: string[]): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf('$', i);
    if (dollar === -1) break;
    out += text.slice(i, dollar);
    const next = text.charAt(dollar + 1);
    if (next === '$') {
      out += '$';
      i = dollar + 2;
    } else if (next === '{') {
      const close = matchingBrace(text, dollar + 2);
      out += substitute(text.slice(dollar + 2, close), env, unset);
      i = close + 1;
    } else {
      const name = NAME.exec(text.slice(dollar + 1))?.[0];
      if (name === undefined) {
        out += '$';
        i = dollar + 1;
      } else {
        out += lookup(name, env, unset);
        i = dollar + 1 + name.length;
      }
    }
  }
  return out + text.slice(i);
}

/** Index of the `}` closing a `${` whose body starts at `start`; nested `${...}` are skipped. */
function matchingBrace(text: string, start: number): number {
  let depth = 1;
  for (let i = start; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === '$' && text.charAt(i + 1) === '$') i++;
    else if (c === '$' && text.charAt(i + 1) === '{') {
      depth++;
      i++;
    } else if (c === '}' && --depth === 0) return i;
  }
  throw new InterpolationError(`invalid interpolation format in '${text}': '\${' is never closed (use $$ for a literal $)`);
}

function substitute(body: string, env: Environment, unset: string[]): string {
  const m = BRACED.exec(body);
  if (!m) throw new InterpolationError(`invalid interpolation format '\${${body}}' (use $$ for a literal $)`);
  const name = m[1] ?? '';
  const operator = m[2];
  const arg = m[3] ?? '';
  const value = env[name];
  const missing = operator?.startsWith(':') ? value === undefined || value === '' : value === undefined;
  switch (operator) {
    case undefined:
      return lookup(name, env, unset);
    case '-':
    case ':-':
      return missing ? expand(arg, env, unset) : (value ?? '');
    case '+':
    case ':+':
      return missing ? '' : expand(arg, env, unset);
    default: {
      if (!missing) return value ?? '';
      const detail = expand(arg, env, unset);
      const emptiness = operator === ':?' ? 'is not set or empty' : 'is not set';
      throw new InterpolationError(`required variable '${name}' ${emptiness}${detail ? `: ${detail}` : ''}`);
    }
  }
}

function lookup(name: string, env: Environment, unset: string[]): string {
  const value = env[name];
  if (value !== undefined) return value;
  if (!unset.includes(name)) unset.push(name);
  return '';
}
