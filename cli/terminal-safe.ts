/**
 * Text a board supplied (hostnames, labels, task errors, log lines) must never drive the admin's
 * terminal: escape sequences could retitle or clear it, and a CR or LF could forge table rows.
 * Every such character is shown escaped (`\x1b`, `\n`, `\u{202e}`) rather than stripped, so the
 * admin sees that something odd was sent. The printers in output.ts apply this to every cell and
 * line; `--json` output is left alone (JSON escaping already covers it).
 */

/** C0 controls, DEL, C1 controls, line/paragraph separators, and the bidi controls that reorder text. */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeChar(c: string): string {
  const code = c.charCodeAt(0);
  return NAMED[c] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`);
}

/** One line of text with every terminal control character made visible. */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}
