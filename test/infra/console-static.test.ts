import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleFilePath, consoleStatic } from '../../infra/local/http/console-static.ts';

/**
 * The console's static files (infra/local/http/console-static.ts) on a real socket: index and
 * hashed assets with their cache headers, ETag revalidation, HEAD, the API and other methods left
 * alone, the "not built" page, and every way out of the directory we could think of refused —
 * `..` plain, %-encoded, double-encoded, with backslashes, NUL bytes, hidden files and symlinks.
 */

let base: string;
let dist: string;
let url: string;
let port: number;
let server: Server;

function app(root: string): Hono {
  const a = new Hono();
  a.use(consoleStatic(root));
  a.notFound((c) => c.json({ message: 'nothing here' }, 404));
  return a;
}

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'yobidashi-console-'));
  dist = join(base, 'dist');
  await mkdir(join(dist, 'assets'), { recursive: true });
  await writeFile(join(dist, 'index.html'), '<!doctype html><title>console</title>');
  await writeFile(join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
  await writeFile(join(dist, '.hidden'), 'secret');
  await writeFile(join(base, 'secret.txt'), 'outside');
  await symlink(join(base, 'secret.txt'), join(dist, 'link.txt'));
  server = createAdaptorServer({ fetch: app(dist).fetch }) as Server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  url = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(base, { recursive: true, force: true });
});

/** A request written raw, so the target reaches the server exactly as given (fetch would normalise it). */
function raw(target: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    let answer = '';
    const socket = connect(port, '127.0.0.1', () => socket.write(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0), body: answer.split('\r\n\r\n').slice(1).join('\r\n\r\n') }));
  });
}

describe('the console is served from its dist directory', () => {
  it('/ is index.html, revalidated on every load; hashed assets are immutable', async () => {
    const index = await fetch(`${url}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(await index.text()).toContain('<title>console</title>');
    const again = await fetch(`${url}/`, { headers: { 'if-none-match': index.headers.get('etag') ?? '' } });
    expect(again.status).toBe(304);

    const asset = await fetch(`${url}/assets/index-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await asset.text()).toBe('console.log(1)');

    const head = await fetch(`${url}/assets/index-abc123.js`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('14');
  });

  it('leaves other methods, the API and missing files to the routes after it', async () => {
    expect((await fetch(`${url}/`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await fetch(`${url}/api/health`)).status).toBe(404);
    expect((await fetch(`${url}/api`)).status).toBe(404);
    expect((await fetch(`${url}/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${url}/assets`)).status).toBe(404);
  });

  it('never serves a file outside the directory, a hidden file or a symlink out', async () => {
    const attempts = [
      '/../secret.txt',
      '/../../package.json',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/%252e%252e%252fsecret.txt',
      '/..%5csecret.txt',
      '/assets%5c..%5c..%5csecret.txt',
      '/index.html%00.js',
      '/.hidden',
      '/%2ehidden',
      '/link.txt',
      '//etc/passwd',
      `/${encodeURIComponent(join(base, 'secret.txt'))}`,
      '/%E0%A4%A',
    ];
    for (const target of attempts) {
      const res = await raw(target);
      expect(res.body, target).not.toContain('outside');
      expect(res.body, target).not.toContain('secret');
      expect([400, 404], target).toContain(res.status);
    }
  });

  it('maps paths to files only inside the root', () => {
    expect(consoleFilePath('/srv/dist', '/')).toBe('/srv/dist/index.html');
    expect(consoleFilePath('/srv/dist', '/assets/a.js')).toBe('/srv/dist/assets/a.js');
    expect(consoleFilePath('/srv/dist', '/assets/')).toBeUndefined();
    expect(consoleFilePath('/srv/dist', '/..')).toBeUndefined();
    expect(consoleFilePath('/srv/dist', '/a/%2e%2e/%2e%2e/b')).toBeUndefined();
    expect(consoleFilePath('/srv/dist', '/a%2F..%2F..%2Fb')).toBeUndefined();
  });

  it('without a build, / says how to make one', async () => {
    const res = await app(join(base, 'no-dist')).request('/');
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toContain('npm run console:build');
    expect((await app(join(base, 'no-dist')).request('/assets/x.js')).status).toBe(404);
  });
});
