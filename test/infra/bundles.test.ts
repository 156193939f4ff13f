import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFunction, entryOf } from '../../infra/aws/functions/bundling.ts';
import { FUNCTION_NEEDS, usesPort, type FunctionName } from '../../infra/aws/permissions.ts';
import type { PortName } from '../../handlers/needs.ts';
import { coldLoad, LAMBDA_ENV, PROJECT_ROOT, SCRATCH, synthesizeFunctions, type SynthesizedFunction } from './synthesized-bundles.ts';

/**
 * The functions' bundles as `cdk synth` makes them (one synth with bundling, shared by every
 * assertion here; the other CDK tests skip bundling): one asset per function, each small, each
 * made only of what its handler reaches, each loading and answering as a Lambda function.
 */
// A directory of this run's own: two runs at once (a whole-suite run beside this file's) must not share one.
let OUT: string;
type HandlerFunction = SynthesizedFunction & { name: FunctionName };
let fns: HandlerFunction[];
const names = Object.keys(FUNCTION_NEEDS) as FunctionName[];
const MAX_BYTES = 1_000_000;

let authorizer: SynthesizedFunction;

beforeAll(async () => {
  await mkdir(SCRATCH, { recursive: true });
  OUT = await mkdtemp(join(SCRATCH, 'test-'));
  const all = await synthesizeFunctions(join(OUT, 'cdk.out'));
  fns = all.filter((f): f is HandlerFunction => f.name !== 'authorizer');
  authorizer = all.find((f) => f.name === 'authorizer')!;
}, 300_000);

afterAll(() => rm(OUT, { recursive: true, force: true }));

const fn = (name: FunctionName) => fns.find((f) => f.name === name)!;
const has = (f: SynthesizedFunction, module: string) => f.sources.some((s) => s.startsWith(module) || s.includes(`/${module}`));

/** The SDK clients each port's adapter brings (infra/aws/adapters). */
const PORT_CLIENTS: Record<PortName, string[]> = {
  store: ['node_modules/@aws-sdk/client-dynamodb/', 'node_modules/electrodb/'],
  bus: ['node_modules/@aws-sdk/client-eventbridge/'],
  scheduler: ['node_modules/@aws-sdk/client-scheduler/'],
  telephony: ['node_modules/@aws-sdk/client-connect/'],
  failures: ['node_modules/@aws-sdk/client-sqs/', 'node_modules/@aws-sdk/client-lambda/'],
  notifier: ['node_modules/@aws-sdk/client-sns/'],
};

describe('the synthesized functions', () => {
  it('have one asset each, none shared', () => {
    expect(fns.map((f) => f.name).sort()).toEqual([...names].sort());
    expect(new Set(fns.map((f) => f.dir)).size).toBe(names.length);
  });

  it(`are each at most ${MAX_BYTES} bytes`, () => {
    for (const f of fns) expect(f.bytes, f.name).toBeLessThanOrEqual(MAX_BYTES);
  });

  it("carry their handler's code and not another's", () => {
    const handlerFiles = (f: SynthesizedFunction) => f.sources.filter((s) => /^handlers\/[^/]+\.ts$/.test(s) && !s.endsWith('needs.ts') && !s.endsWith('ports.ts'));
    expect(handlerFiles(fn('place-call'))).toEqual(['handlers/place-call.ts']);
    expect(handlerFiles(fn('escalate'))).toEqual(['handlers/apply-outcome.ts']);
    for (const f of fns) {
      expect(handlerFiles(f), f.name).toHaveLength(1);
      expect(has(f, 'handlers/index.ts'), `${f.name} imports every handler`).toBe(false);
    }
  });

  it('bundle exactly the SDK clients of the ports their handler declares', () => {
    for (const f of fns) {
      for (const [port, clients] of Object.entries(PORT_CLIENTS) as [PortName, string[]][]) {
        for (const client of clients) expect(has(f, client), `${f.name} ${port}: ${client}`).toBe(usesPort(f.name, port));
      }
    }
    // Spelled out for the one the issue names: Connect only where calls are placed, checked or stopped.
    expect(fns.filter((f) => has(f, 'node_modules/@aws-sdk/client-connect/')).map((f) => f.name).sort()).toEqual(['call-check', 'contact-event', 'place-call', 'stop-call']);
  });

  it('contain no CDK, no contact-flow interpreter, nothing of the local runtime', () => {
    const forbidden = ['node_modules/aws-cdk-lib/', 'node_modules/constructs/', 'node_modules/cdk-nag/', 'infra/local/', 'node_modules/hono/', 'node_modules/yaml/', 'node_modules/@cloud-copilot/'];
    for (const f of fns) {
      for (const module of forbidden) expect(has(f, module), `${f.name}: ${module}`).toBe(false);
      // Of the contact flow, only the SSML escaping the call's message uses (handlers/lib/call-attributes.ts).
      expect(f.sources.filter((s) => s.includes('contact-flow/')), f.name).toEqual(has(f, 'contact-flow/ssml.ts') ? ['contact-flow/ssml.ts'] : []);
    }
  });

  it('take the SDK from the bundle, not the runtime, and need no require shim', async () => {
    for (const f of fns) {
      const text = await readFile(f.file, 'utf8');
      expect(text, f.name).not.toMatch(/from\s*"@aws-sdk\//);
      expect(text, f.name).not.toContain('Dynamic require of');
    }
  });

  it('are what infra/aws/functions/bundling.ts makes of each entry; the only jsonschema is the one ElectroDB imports', async () => {
    const rebuilt = await Promise.all(names.map(async (name) => ({ name, ...(await bundleFunction(entryOf(name), join(OUT, 'rebuilt', name))) })));
    for (const { name, metafile, bytes } of rebuilt) {
      // The same modules as the synthesized asset (its source map's list), and about the same size.
      const output = Object.values(metafile.outputs).find((o) => o.entryPoint)!;
      const modules = Object.entries(output.inputs)
        .filter(([, input]) => input.bytesInOutput > 0)
        .map(([path]) => path.slice(Math.max(0, path.indexOf('node_modules/'))));
      const synthesized = fn(name).sources.map((path) => path.slice(Math.max(0, path.indexOf('node_modules/'))));
      expect(new Set(modules.filter((m) => !m.endsWith('.json'))), name).toEqual(new Set(synthesized.filter((m) => !m.endsWith('.json'))));
      expect(Math.abs(bytes - fn(name).bytes), name).toBeLessThan(4096);
      // ElectroDB checks models with jsonschema and tells models from entities with it at run time
      // (electrodb/src/validations.js, util.js getInstanceType): it stays, and nothing else brings it.
      const importers = Object.entries(metafile.inputs)
        .filter(([path, input]) => !path.includes('node_modules/jsonschema/') && input.imports.some((i) => i.path.includes('node_modules/jsonschema/')))
        .map(([path]) => path.slice(path.indexOf('node_modules/')));
      expect(importers, name).toEqual(['node_modules/electrodb/src/validations.js']);
    }
  }, 120_000);
});

describe("the HTTP intake's authorizer", () => {
  it('is bundled the same way: its own small asset with only the Secrets Manager client, loading and exporting the handler', async () => {
    expect(fns.map((f) => f.dir)).not.toContain(authorizer.dir);
    expect(authorizer.bytes).toBeLessThanOrEqual(MAX_BYTES);
    expect(has(authorizer, 'node_modules/@aws-sdk/client-secrets-manager/')).toBe(true);
    for (const other of ['client-dynamodb', 'client-eventbridge', 'client-connect', 'client-scheduler', 'client-sqs', 'client-lambda']) expect(has(authorizer, `node_modules/@aws-sdk/${other}/`), other).toBe(false);
    expect((await coldLoad(authorizer.file, authorizer.env)).exports).toEqual(['handler', 'tokensMatch']);
  });
});

describe('each bundle, loaded as Lambda loads it', () => {
  it('builds its ports at init with its own environment and exports the handler', async () => {
    for (const f of fns) expect((await coldLoad(f.file, f.env)).exports, f.name).toEqual(['handler']);
  }, 120_000);

  it('fails its init naming the variable it lacks', async () => {
    const { TABLE_NAME: _, ...withoutTable } = fn('timeline').env;
    await expect(coldLoad(fn('timeline').file, withoutTable)).rejects.toThrow(/environment variable TABLE_NAME is not set/);
  });

  it('logs through Powertools: request id, cold start on the first invocation only, correlation id, service, the function', async () => {
    const f = fn('flow-result');
    // A contact-flow invocation without the incident's parameters: the handler logs a warning and
    // answers without touching AWS, so it runs here as it would on Lambda.
    const event = (contactId: string) => ({ Details: { ContactData: { ContactId: contactId, Attributes: {} }, Parameters: {} }, Name: 'ContactFlowEvent' });
    const context = (requestId: string) => ({ awsRequestId: requestId, functionName: 'yobidashi-flow-result', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:ap-northeast-1:111111111111:function:yobidashi-flow-result', memoryLimitInMB: '512' });
    const script = `const { handler } = await import(${JSON.stringify(pathToFileURL(f.file).href)});
      const answers = [];
      answers.push(await handler(${JSON.stringify(event('contact-1'))}, ${JSON.stringify(context('req-1'))}));
      answers.push(await handler(${JSON.stringify(event('contact-2'))}, ${JSON.stringify(context('req-2'))}));
      process.stderr.write('\\nanswers ' + JSON.stringify(answers) + '\\n');`;
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--enable-source-maps', '--no-warnings', '--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH ?? '', ...LAMBDA_ENV, ...f.env },
      cwd: PROJECT_ROOT,
    });
    expect(JSON.parse(stderr.split('\n').find((l) => l.startsWith('answers '))!.slice('answers '.length))).toEqual([{ status: 'ignored', outcome: '' }, { status: 'ignored', outcome: '' }]);
    // Powertools writes warnings and errors to stderr, the rest to stdout; Lambda keeps both.
    const lines = `${stdout}\n${stderr}`.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      level: 'WARN',
      message: 'flow result without incident parameters',
      service: 'yobidashi',
      function: 'flow-result',
      handler: 'flow-result',
      cold_start: true,
      function_request_id: 'req-1',
      function_name: 'yobidashi-flow-result',
      correlation_id: 'contact-1',
    });
    expect(lines[0]!.timestamp).toEqual(expect.any(String));
    expect(lines[1]).toMatchObject({ cold_start: false, function_request_id: 'req-2', correlation_id: 'contact-2' });
  }, 60_000);
});
