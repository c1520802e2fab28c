// Puts the dashboard's browser files beside the compiled server code (tsc copies no .js/.css/.html):
// run by `npm run build` and by the test suite's build.
import { cpSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const from = fileURLToPath(new URL('./assets/', import.meta.url));
const to = fileURLToPath(new URL('../../../dist/manager/api/dashboard/assets/', import.meta.url));
rmSync(to, { recursive: true, force: true });
cpSync(from, to, { recursive: true });
