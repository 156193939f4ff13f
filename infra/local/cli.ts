// The CLI lives in infra/cli; `yobidashi start` and older imports find it here too.
export { main, table, type Out } from '../cli/main.ts';
