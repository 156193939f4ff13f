#!/usr/bin/env node
// The yobidashi CLI. Our sources are TypeScript; tsx loads them in-process so the CLI runs the very
// modules the handlers and tests use, with no build step.
import { register } from 'tsx/esm/api';

// The AWS SDK warns about Node 20 on every start; Lambda runs nodejs22.x. Keep the console for us.
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (!`${warning.name} ${warning.message}`.includes('NodeVersionSupportWarning')) console.warn(warning);
});
register();
const { main } = await import('../infra/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
