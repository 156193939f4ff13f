import { zValidator } from '@hono/zod-validator';
import type { Context, ValidationTargets } from 'hono';
import { createMiddleware } from 'hono/factory';
import { matchedRoutes } from 'hono/route';
import type { z } from 'zod';

/**
 * What every route checks before it runs, so that a bad request gets 400 and a message naming the
 * field (`responders.0.phone: must be an E.164 number …`), as the local API always answered:
 * path parameters decoded strictly, bodies read as JSON, and zod schemas for the body, the
 * parameters and the query string (@hono/zod-validator).
 */

/** A request the local API refuses: the status, and a message naming the field. */
export class ApiError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 503,
    message: string,
  ) {
    super(message);
  }
}

const WHOLE: Record<keyof ValidationTargets, string> = { json: '(body)', form: '(body)', query: '(query)', param: '(path)', header: '(headers)', cookie: '(cookies)' };

/** `field.path: message; …`, the form every 400 of the local API takes. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], target: keyof ValidationTargets = 'json'): string {
  return issues.map((i) => `${i.path.map(String).join('.') || WHOLE[target]}: ${i.message}`).join('; ');
}

/** A zod schema for one part of the request; a failure is a 400 naming the field. */
export function valid<Target extends keyof ValidationTargets, Schema extends z.ZodType>(target: Target, schema: Schema) {
  return zValidator(target, schema, (result, c: Context) => {
    if (!result.success) return c.json({ message: describeIssues(result.error.issues, target) }, 400);
    return undefined;
  });
}

/**
 * The body is JSON whatever its Content-Type says (`curl -d` sends a form type), and an empty body
 * is `{}`; anything else is a 400 before a schema sees it. Marks the request as JSON for `valid('json', …)`.
 */
export const jsonBody = createMiddleware(async (c, next) => {
  const text = await c.req.text();
  try {
    if (text.trim()) JSON.parse(text);
  } catch {
    throw new ApiError(400, '(body): not valid JSON');
  }
  // What the validator reads next: Hono caches the body it read, as a promise of its text.
  (c.req.bodyCache as { text?: Promise<string> }).text = Promise.resolve(text.trim() ? text : '{}');
  c.req.raw.headers.set('content-type', 'application/json');
  await next();
});

/**
 * Path parameters are decoded strictly: Hono hands a parameter with a malformed %-escape
 * (`/api/incidents/%E0%A4%A`) on undecoded; here it is a 400 naming the parameter.
 */
export const strictPathParams = createMiddleware(async (c, next) => {
  // Every matched route, not only the last: the console's static files match any GET after the API's routes.
  const raw = new URL(c.req.url).pathname.split('/');
  for (const route of matchedRoutes(c)) {
    route.path.split('/').forEach((segment, i) => {
      if (!segment.startsWith(':')) return;
      try {
        decodeURIComponent(raw[i] ?? '');
      } catch {
        throw new ApiError(400, `${segment.slice(1).replace(/\{.*$/, '')}: malformed percent-encoding in the path`);
      }
    });
  }
  await next();
});
