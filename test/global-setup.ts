/**
 * Builds dist/ once before the suite, so tests that spawn real `kelvin` processes run the
 * current sources. Type errors are the lint step's job; here only a missing entry point fails.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  // Pure-logic runs during development can skip the build; the full suite never sets this.
  if (process.env.KELVIN_SKIP_BUILD === '1') return;
  try {
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { cwd: root, stdio: 'pipe' });
  } catch {
    // emitted anyway; see above
  }
  if (!existsSync(`${root}/dist/cli/main.js`)) throw new Error('build failed: dist/cli/main.js is missing');
  execFileSync(process.execPath, ['manager/api/dashboard/copy-assets.mjs'], { cwd: root, stdio: 'pipe' });
}
