import { main } from '../../infra/cli/main.ts';
import type { Runtime } from '../../infra/local/runtime.ts';

/** What the end-to-end tests share: the local API over HTTP, the CLI as a user types it, waiting with a deadline. */

export async function http<T = unknown>(rt: Pick<Runtime, 'url'>, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${rt.url}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Runs `yobidashi ARGS` in-process and captures what it printed. */
export async function runCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { log: (l) => out.push(l), error: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** `yobidashi ARGS` against a runtime as a local one (`--endpoint`) or as a deployed stack (`--stack Yobidashi`, after pointSdkAt). */
export function runCliOn(rt: Pick<Runtime, 'url'>, mode: 'stack' | 'local', ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return runCli([...args, ...(mode === 'stack' ? ['--stack', 'Yobidashi'] : ['--endpoint', rt.url])]);
}

/** Points the AWS SDK (and so every `--stack` verb) at a runtime's port, with throwaway credentials; returns what restores the environment. */
export function pointSdkAt(url: string): () => void {
  const saved = { ...process.env };
  Object.assign(process.env, { AWS_ENDPOINT_URL: url, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_REGION: 'us-east-1' });
  delete process.env.AWS_PROFILE;
  delete process.env.YOBIDASHI_STACK;
  return () => {
    process.env = saved;
  };
}

/** Polls `probe` until `accept` holds (real time: the runtime runs on the scaled wall clock), or fails saying what it last saw. */
export async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!accept(last)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(last).slice(0, 600)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    last = await probe();
  }
  return last;
}
