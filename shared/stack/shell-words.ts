/**
 * Splits a string-form `command`/`entrypoint` into argv the way a POSIX shell would for simple
 * cases (what Compose does with shlex): whitespace separates words, '...' is literal, "..." keeps
 * spaces and honours \" \\ \$ \`, and a backslash outside quotes escapes the next character.
 * No expansion, globbing, pipes or comments: those need `sh -c` in list form.
 */
export function splitShellWords(text: string): { ok: true; words: string[] } | { ok: false; error: string } {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && '"\\$`'.includes(text.charAt(i + 1)) && i + 1 < text.length) word += text.charAt(++i);
      else word += c;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      inWord = true;
      if (c === "'" || c === '"') quote = c;
      else if (c === '\\' && i + 1 < text.length) word += text.charAt(++i);
      else word += c;
    }
  }
  if (quote) return { ok: false, error: `unterminated ${quote === "'" ? 'single' : 'double'} quote in '${text}'` };
  if (inWord) words.push(word);
  return { ok: true, words };
}
