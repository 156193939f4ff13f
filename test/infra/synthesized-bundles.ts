import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { App } from 'aws-cdk-lib';
import { buildApp } from '../../infra/aws/app.ts';
import { BUNDLE_FILE } from '../../infra/aws/functions/bundling.ts';
import { FUNCTION_NEEDS, type FunctionName } from '../../infra/aws/permissions.ts';

/**
 * The Lambda functions as `cdk synth` leaves them: the app synthesized in-process with bundling on
 * (as `npx cdk synth` does it), each function's asset directory found through its template's code
 * key. Shared by test/infra/bundles.test.ts and test/bench/bundles.bench.ts.
 */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/**
 * Scratch space inside the project, under node_modules/.cache as build tools do: a bundle loaded
 * from here resolves packages it leaves external from the project's node_modules, as a Lambda
 * function resolves them from the runtime's.
 */
export const SCRATCH = join(PROJECT_ROOT, 'node_modules', '.cache', 'yobidashi-bundles');

/** The handlers' functions, and the HTTP intake's token authorizer. */
export type SynthesizedName = FunctionName | 'authorizer';

export interface SynthesizedFunction {
  name: SynthesizedName;
  /** The asset's directory in the cloud assembly. */
  dir: string;
  /** Its bundle (`index.mjs`) and source map. */
  file: string;
  bytes: number;
  mapBytes: number;
  /** The function's environment, tokens (ARNs, names) replaced by placeholders. */
  env: Record<string, string>;
  /** The modules the bundle was made of, from its source map (paths relative to the project). */
  sources: string[];
}

type Resource = { Type: string; Properties: Record<string, unknown> };

export async function synthesizeFunctions(outdir: string): Promise<SynthesizedFunction[]> {
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  const context = (JSON.parse(await readFile(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;
  const { app, stack } = buildApp(new App({ outdir, context }));
  const template = app.synth().getStackArtifact(stack.artifactId).template as { Resources: Record<string, Resource> };
  const lambdas = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
  const [authorizer, ...others] = Object.entries(template.Resources).filter(([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith('HttpIntakeAuthorizer'));
  if (!authorizer || others.length) throw new Error('expected one HTTP intake authorizer in the template');
  const names: SynthesizedName[] = [...(Object.keys(FUNCTION_NEEDS) as FunctionName[]), 'authorizer'];
  return Promise.all(
    names.map(async (name) => {
      const fn = name === 'authorizer' ? authorizer[1] : lambdas.find((r) => r.Properties.Description === `yobidashi ${name}`);
      if (!fn) throw new Error(`no function for ${name} in the template`);
      const key = (fn.Properties.Code as { S3Key: string }).S3Key;
      const dir = join(outdir, `asset.${key.replace(/\.zip$/, '')}`);
      const file = join(dir, BUNDLE_FILE);
      const map = JSON.parse(await readFile(`${file}.map`, 'utf8')) as { sources: string[] };
      const variables = ((fn.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}) as Record<string, unknown>;
      const env = Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, typeof v === 'string' ? v : `placeholder-${k.toLowerCase()}`]));
      return {
        name,
        dir,
        file,
        bytes: (await stat(file)).size,
        mapBytes: (await stat(`${file}.map`)).size,
        env,
        sources: map.sources.map((s) => join(dir, s).slice(PROJECT_ROOT.length)),
      };
    }),
  );
}

/** What a Lambda execution environment has that a module may read at load. */
export const LAMBDA_ENV = {
  AWS_REGION: 'ap-northeast-1',
  AWS_DEFAULT_REGION: 'ap-northeast-1',
  AWS_LAMBDA_FUNCTION_NAME: 'yobidashi-bench',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
  AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'example',
  AWS_SESSION_TOKEN: 'example',
};

const run = promisify(execFile);

/**
 * One cold load: a fresh `node` (with the function's NODE_OPTIONS, e.g. --enable-source-maps)
 * imports the bundle, which builds its ports as it would at init; the time is measured inside the
 * process around the import, so Node's own start is not in it. Returns milliseconds and what the
 * bundle exports.
 */
export async function coldLoad(file: string, env: Record<string, string> = {}, options: { thenCall?: string } = {}): Promise<{ ms: number; exports: string[] }> {
  // thenCall: an export to call right after the import, inside the timing (the old shared bundle built its ports on first use).
  const then = options.thenCall ? `m[${JSON.stringify(options.thenCall)}]();` : '';
  const script = `const t = performance.now(); const m = await import(${JSON.stringify(pathToFileURL(file).href)}); ${then} const ms = performance.now() - t; process.stdout.write(JSON.stringify({ ms, exports: Object.keys(m).sort() }));`;
  const { NODE_OPTIONS, ...rest } = env;
  const { stdout } = await run(process.execPath, [...(NODE_OPTIONS ? NODE_OPTIONS.split(/\s+/) : []), '--no-warnings', '--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH ?? '', ...LAMBDA_ENV, ...rest },
    cwd: PROJECT_ROOT,
    maxBuffer: 64 << 20,
  });
  return JSON.parse(stdout) as { ms: number; exports: string[] };
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
