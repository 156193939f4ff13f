import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

/**
 * The console (docs/console.md): `npm run console:build` (vite build infra/local/console) writes
 * dist/, which the runtime serves at its root. Relative asset URLs, no source maps in the build
 * (it is a local tool; the sources are beside it), everything bundled: nothing loads from the
 * network at run time. `npm run console:dev` serves it with hot reload, proxying the runtime's
 * API and EventBridge face from http://127.0.0.1:4010 (YOBIDASHI_URL to change it).
 */
const runtime = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env.YOBIDASHI_URL ?? 'http://127.0.0.1:4010';

export default defineConfig({
  plugins: [preact({ prerender: { enabled: false } })],
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    reportCompressedSize: true,
  },
  server: {
    proxy: {
      '/api': { target: runtime, changeOrigin: true },
      '^/$': { target: runtime, bypass: (req) => (req.method === 'POST' ? undefined : req.url) },
    },
  },
});
