import { describe, expect, it } from 'vitest';
import { splitShellWords } from '../../../shared/stack/shell-words.js';

function words(text: string): string[] {
  const r = splitShellWords(text);
  if (!r.ok) throw new Error(r.error);
  return r.words;
}

describe('splitShellWords', () => {
  it('splits on any run of whitespace', () => {
    expect(words('  python3  -m http.server\t8080\n')).toEqual(['python3', '-m', 'http.server', '8080']);
    expect(words('')).toEqual([]);
  });

  it('keeps quoted spaces and drops the quotes', () => {
    expect(words(`sh -c 'echo "hi there" && sleep 1'`)).toEqual(['sh', '-c', 'echo "hi there" && sleep 1']);
    expect(words('echo "a  b" c')).toEqual(['echo', 'a  b', 'c']);
    expect(words('--name="my app"')).toEqual(['--name=my app']);
    expect(words(`'' ""`)).toEqual(['', '']);
  });

  it('handles backslash escapes outside and inside double quotes', () => {
    expect(words('echo a\\ b')).toEqual(['echo', 'a b']);
    expect(words('echo "say \\"hi\\" \\n"')).toEqual(['echo', 'say "hi" \\n']);
    expect(words("echo '\\n'")).toEqual(['echo', '\\n']);
  });

  it('reports an unterminated quote', () => {
    expect(splitShellWords(`echo 'oops`)).toEqual({ ok: false, error: "unterminated single quote in 'echo 'oops'" });
    expect(splitShellWords('echo "oops')).toEqual({ ok: false, error: `unterminated double quote in 'echo "oops'` });
  });
});
