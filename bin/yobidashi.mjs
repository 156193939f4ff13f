#!/usr/bin/env node
// The yobidashi CLI. Our sources are TypeScript; tsx loads them in-process so the CLI runs the very
// modules the handlers and tests use, with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../infra/local/cli.ts');
process.exitCode = await main(process.argv.slice(2));
