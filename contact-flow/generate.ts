import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { buildFlow, renderFlow } from './flow.ts';
import { assertValidFlow } from './validate.ts';

/** `npm run flow:generate`: typed source → the flow JSON CDK deploys and the simulator runs. */
export const GENERATED_FLOW_PATH = fileURLToPath(new URL('./generated/yobidashi-call.json', import.meta.url));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const flow = buildFlow();
  const content = renderFlow(flow);
  assertValidFlow(flow, content);
  await mkdir(fileURLToPath(new URL('./generated/', import.meta.url)), { recursive: true });
  await writeFile(GENERATED_FLOW_PATH, content);
  console.log(`wrote ${GENERATED_FLOW_PATH} (${flow.Actions.length} actions, ${content.length} characters)`);
}
