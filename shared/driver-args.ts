/**
 * What each driver runs, checked when a service is created rather than when its task fails:
 * - docker runs an IMAGE: a docker image reference (`busybox`, `ghcr.io/org/app:1.2`, `x@sha256:...`).
 *   A path (`/bin/true`) never is one.
 * - process runs a COMMAND: its first word is an absolute path, a path starting with `./` or
 *   `../`, or a bare program name looked up in the board's PATH (no `/`, `:` or `@`). An image
 *   reference such as `some/image:tag` is none of these.
 */
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN = '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::\\d+)?/)?';
const IMAGE_REFERENCE = new RegExp(`^${DOMAIN}${COMPONENT}(?:/${COMPONENT})*(?::[\\w][\\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$`);

export function isImageReference(word: string): boolean {
  return word.length <= 255 && IMAGE_REFERENCE.test(word);
}

export function isProgramWord(word: string): boolean {
  return word.startsWith('/') || word.startsWith('./') || word.startsWith('../') || /^[^/:@\s]+$/.test(word);
}

/** Why `word` cannot start a task of `driver`, as one line; null when it can. */
export function driverMismatch(driver: 'docker' | 'process', word: string): string | null {
  if (driver === 'docker' && !isImageReference(word)) {
    return `the docker driver runs an IMAGE, and '${word}' is not an image reference (e.g. busybox:1.36)${isProgramWord(word) ? `; to run a program use --driver process -- ${word}` : ''}`;
  }
  if (driver === 'process' && !isProgramWord(word)) {
    return `the process driver runs a COMMAND (an absolute path, ./path or a program name in PATH), and '${word}' looks like an image${isImageReference(word) ? '; to run it drop --driver process (docker is the default for an IMAGE)' : ''}`;
  }
  return null;
}
