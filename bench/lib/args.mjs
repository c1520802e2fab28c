/** Command-line flags of the bench scripts: `--name value`. */

export function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

/** A whole number >= min, or exit 2 naming the flag. */
export function intArg(script, name, fallback, min = 1) {
  const value = Number(arg(name, fallback));
  if (!Number.isInteger(value) || value < min) {
    console.error(`${script}: --${name} must be a whole number >= ${min}`);
    process.exit(2);
  }
  return value;
}
