import { bundleFunction } from './bundling.ts';

/**
 * `node --import tsx infra/aws/functions/bundle-cli.ts <entry> <outdir>`: what a function's asset
 * runs to bundle (CDK's local bundling is synchronous, esbuild's plugins are not).
 */
const [entry, outdir] = process.argv.slice(2);
if (!entry || !outdir) {
  process.stderr.write('usage: bundle-cli.ts <entry.ts> <outdir>\n');
  process.exit(2);
}
await bundleFunction(entry, outdir);
