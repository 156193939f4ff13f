import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import type { FunctionName } from '../../../handlers/needs.ts';

/**
 * How each Lambda function is built: esbuild over the function's own entry
 * (infra/aws/functions/entries/<name>.ts), minified ESM for nodejs22.x, tree-shaken, the AWS SDK
 * bundled rather than taken from the runtime, a source map without the sources' text.
 *
 * Why not NodejsFunction's bundling: it runs the esbuild CLI, which takes no plugins, and one is
 * needed (sdkSchemaKeys below). The CDK construct runs this module in a child process from its
 * asset's local bundling (infra/aws/constructs/functions.ts); the bundle bench calls it directly.
 *
 * Decisions, measured (docs/performance.md, "Bundles and cold load"; `npm run bench`):
 * - SDK bundled, not the runtime's: loading the clients' CommonJS files from node_modules, as the
 *   runtime's SDK is loaded, costs far more than parsing their minified ESM in one file.
 * - `sourcesContent: false`: Node reads the map at load (NODE_OPTIONS=--enable-source-maps), and
 *   the sources' text is most of it; stack traces still name file and line.
 * - `mainFields: module, main`: the SDK's and Powertools' ESM builds, which esbuild can tree-shake.
 */
export const ENTRIES_DIR = fileURLToPath(new URL('./entries/', import.meta.url));
export const entryOf = (name: FunctionName | string): string => `${ENTRIES_DIR}${name}.ts`;
export const BUNDLE_FILE = 'index.mjs';

/**
 * The SDK's generated schema modules (one per client, `dist-es/schemas/schemas_0.js`) describe
 * every operation as an array literal, and each operation's HTTP binding as an object with a
 * computed key naming a module constant (`{ [_h]: ["POST", "/contact/outbound-voice", 200] }`).
 * esbuild cannot prove a computed key free of side effects, so it keeps every operation and, through
 * them, every request and response shape: ~190 KB of Amazon Connect's 800 operations in a function
 * that calls three. Replacing each such key with the string constant it names (`{ "http": [...] }`)
 * changes nothing at run time and lets esbuild drop what no command reaches.
 */
export const sdkSchemaKeys: esbuild.Plugin = {
  name: 'sdk-schema-keys',
  setup(build) {
    build.onLoad({ filter: /[\\/]@aws-sdk[\\/][^\\/]+[\\/]dist-es[\\/](?:.*[\\/])?schemas[\\/]schemas_\d+\.js$/ }, async ({ path }) => {
      const text = await readFile(path, 'utf8');
      const constants = new Map([...text.matchAll(/^const (_\w+) = ("[^"\\\n]*");$/gm)].map(([, name, literal]) => [name!, literal!]));
      return { contents: text.replace(/\[(_\w+)\]:/g, (key, name: string) => constants.get(name)?.concat(':') ?? key), loader: 'js' };
    });
  },
};

/** The options every function is built with; `bundleFunction` adds entry and output. */
export const LAMBDA_BUILD: esbuild.BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  mainFields: ['module', 'main'],
  minify: true,
  treeShaking: true,
  sourcemap: true,
  sourcesContent: false,
  legalComments: 'none',
  // Nothing external: the runtime's SDK is slower to load (above) and may differ from the tested one.
  external: [],
  // No createRequire banner: no bundled module requires anything esbuild did not resolve (a bundle
  // that would is refused by test/infra/bundles.test.ts, which looks for esbuild's "Dynamic require" shim).
  plugins: [sdkSchemaKeys],
  logLevel: 'warning',
};

export interface BundleResult {
  /** The bundle's path (`<outdir>/index.mjs`). */
  file: string;
  bytes: number;
  metafile: esbuild.Metafile;
}

export async function bundleFunction(entry: string, outdir: string, overrides: esbuild.BuildOptions = {}, fileName = BUNDLE_FILE): Promise<BundleResult> {
  const file = `${outdir}/${fileName}`;
  const result = await esbuild.build({ ...LAMBDA_BUILD, ...overrides, entryPoints: [entry], outfile: file, metafile: true });
  const output = Object.entries(result.metafile.outputs).find(([path]) => path.endsWith('.mjs') || path.endsWith('.js'));
  if (!output) throw new Error(`esbuild wrote no bundle for ${entry}`);
  return { file, bytes: output[1].bytes, metafile: result.metafile };
}
