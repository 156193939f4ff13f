// Builds the console (Vite) into dist/, which the runtime serves at its root. Used by `npm run
// prepare` (so `npm install` / `npm ci` leave a built console) and by the console's end-to-end
// test (test/e2e/console.test.ts), which rebuilds only when a source is newer than the build.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const consoleRoot = fileURLToPath(new URL('.', import.meta.url));
export const consoleDist = join(consoleRoot, 'dist');

async function newest(path) {
  const info = await stat(path).catch(() => undefined);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(path);
  return Math.max(info.mtimeMs, ...(await Promise.all(entries.map((e) => newest(join(path, e))))));
}

/** True when dist/ holds no build, or a source (index.html, src/, the configs) changed after it. */
export async function consoleIsStale() {
  const built = await stat(join(consoleDist, 'index.html')).catch(() => undefined);
  if (!built) return true;
  const sources = await Promise.all(['index.html', 'src', 'vite.config.ts', 'tsconfig.json'].map((p) => newest(join(consoleRoot, p))));
  return Math.max(...sources) > built.mtimeMs;
}

/** Runs `vite build`; with `onlyIfStale`, only when consoleIsStale(). Returns whether it built. */
export async function buildConsole({ onlyIfStale = false, logLevel = 'warn' } = {}) {
  if (onlyIfStale && !(await consoleIsStale())) return false;
  const { build } = await import('vite');
  await build({ root: consoleRoot, configFile: join(consoleRoot, 'vite.config.ts'), logLevel });
  return true;
}

// `node infra/local/console/build.mjs`: the prepare script.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    await import('vite');
  } catch {
    // npm ci --omit=dev: no Vite, nothing to build with. The runtime still runs; its root says how to build.
    console.warn('yobidashi: Vite is not installed (dev dependencies omitted?), so the console was not built; see docs/console.md.');
    process.exit(0);
  }
  const began = Date.now();
  await buildConsole();
  console.log(`yobidashi: console built into ${consoleDist} in ${Date.now() - began} ms`);
}
