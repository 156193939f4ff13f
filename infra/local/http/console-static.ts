import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createMiddleware } from 'hono/factory';

/**
 * The console (docs/console.md) as static files: what Vite built into infra/local/console/dist,
 * on GET and HEAD of any path outside /api. It is the last thing the port tries, after the AWS
 * protocols (`POST /` with X-Amz-Target is EventBridge), the REST faces and the local API; a path
 * with no file falls through to the JSON 404. The app routes by hash (#/incidents/ID), so no
 * fallback to index.html is needed.
 *
 * A path is read segment by segment, each %-decoded: a segment that is empty, `.`/`..`, hidden
 * (`.env`), or decodes to a separator or NUL is never looked up, and what is finally opened must
 * resolve (symlinks followed) inside the dist directory. Hashed assets (`/assets/…`) are cached
 * for a year as immutable; everything else (index.html) is revalidated on every load (ETag).
 * Without a build, `/` answers 503 with a page saying how to make one.
 */

export const CONSOLE_DIST = fileURLToPath(new URL('../console/dist/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>yobidashi: the console is not built</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}code{background:#eee;padding:.1em .3em}</style></head>
<body><h1>The console is not built</h1>
<p>The runtime is running (the AWS faces and <a href="/api/health">/api</a> answer), but
<code>infra/local/console/dist/</code> holds no build. Build it once, then reload this page:</p>
<pre><code>npm run console:build</code></pre>
<p><code>npm install</code> and <code>npm ci</code> build it too (the <code>prepare</code> script), unless dev
dependencies were omitted (<code>--omit=dev</code>): see docs/console.md.</p>
<p>この画面はコンソールがまだビルドされていないときに出ます。<code>npm run console:build</code> を実行してから再読み込みしてください。</p>
</body></html>
`;

/** The file a URL path names inside `root`, or undefined when the path is not one we serve. */
export function consoleFilePath(root: string, pathname: string): string | undefined {
  const raw = pathname.split('/').slice(1);
  if (raw.length === 1 && raw[0] === '') return join(root, 'index.html');
  const segments: string[] = [];
  for (const segment of raw) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return undefined;
    }
    if (decoded === '' || decoded.startsWith('.') || /[/\\\0:]/.test(decoded)) return undefined;
    segments.push(decoded);
  }
  const file = join(root, ...segments);
  return file.startsWith(root.endsWith(sep) ? root : root + sep) ? file : undefined;
}

export function consoleStatic(root: string = CONSOLE_DIST) {
  return createMiddleware(async (c, next) => {
    const method = c.req.method;
    const pathname = new URL(c.req.url).pathname;
    if ((method !== 'GET' && method !== 'HEAD') || pathname === '/api' || pathname.startsWith('/api/')) return next();
    const file = consoleFilePath(root, pathname);
    if (!file) return next();
    const found = await locate(root, file);
    if (!found) {
      if (pathname === '/' || pathname === '/index.html') return c.html(NOT_BUILT, 503, { 'Cache-Control': 'no-store' });
      return next();
    }
    const { path, size, mtimeMs } = found;
    const etag = `W/"${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}"`;
    const headers: Record<string, string> = {
      'Content-Type': TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream',
      'Cache-Control': pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      ETag: etag,
      'X-Content-Type-Options': 'nosniff',
    };
    if (c.req.header('if-none-match') === etag) return c.body(null, 304, headers);
    headers['Content-Length'] = String(size);
    if (method === 'HEAD') return c.body(null, 200, headers);
    return c.body(Readable.toWeb(createReadStream(path)) as ReadableStream, 200, headers);
  });
}

/** The regular file at `file`, if it is one and (symlinks resolved) inside `root`. */
async function locate(root: string, file: string): Promise<{ path: string; size: number; mtimeMs: number } | undefined> {
  try {
    const [realRoot, realFile] = await Promise.all([realpath(root), realpath(file)]);
    if (!realFile.startsWith(realRoot + sep)) return undefined;
    const info = await stat(realFile);
    return info.isFile() ? { path: realFile, size: info.size, mtimeMs: info.mtimeMs } : undefined;
  } catch {
    return undefined;
  }
}
