/**
 * Turns the pty's byte stream into lines. A terminal ends lines with \r\n; very long lines are cut
 * so one runaway write cannot hold the agent's memory.
 */
export const MAX_LINE_CHARS = 16 * 1024;

export class LineSplitter {
  private partial = '';

  /** Complete lines in `chunk` (and before it), without their line endings. */
  push(chunk: string): string[] {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    const lines = parts.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
    while (this.partial.length > MAX_LINE_CHARS) {
      lines.push(this.partial.slice(0, MAX_LINE_CHARS));
      this.partial = this.partial.slice(MAX_LINE_CHARS);
    }
    return lines;
  }

  /** The unterminated rest, once the stream has ended. */
  flush(): string[] {
    const rest = this.partial.replace(/\r$/, '');
    this.partial = '';
    return rest === '' ? [] : [rest];
  }
}
