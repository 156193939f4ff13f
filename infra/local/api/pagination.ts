import { z } from 'zod';
import { ApiError } from '../http/request-validation.ts';

/**
 * Listings of the local API page with `?limit` (1–1000, default 100) and `?nextToken`. The answer
 * stays a JSON array, as it always was; when more follow, the response says where the next page
 * is, in `X-Next-Token` (the token) and `Link: <…?limit=N&nextToken=…>; rel="next"` (RFC 8288).
 * A token is a position in one listing: the key of the last item given, so a page is never
 * skipped or repeated when items are added (or, for dead letters, removed) between requests.
 */

export const MAX_PAGE = 1000;
export const DEFAULT_PAGE = 100;

const LIMIT = /^[1-9][0-9]{0,3}$/;
export const pageQuery = z.object({
  limit: z
    .string()
    .refine((text) => LIMIT.test(text) && Number(text) <= MAX_PAGE, `must be a whole number from 1 to ${MAX_PAGE}`)
    .transform(Number)
    .optional(),
  nextToken: z.string().min(1, 'must be the X-Next-Token of an earlier page').max(4096).optional(),
});
export type PageQuery = z.output<typeof pageQuery>;

export interface Listing<T> {
  /** The listing's name, e.g. `incidents`: a token is good for its own listing only. */
  name: string;
  /** The first `n` items, in the listing's order. */
  first(n: number): T[] | Promise<T[]>;
  /** An item's position: unique, and increasing along the listing (decreasing when `descending`). */
  key(item: T, index: number): string;
  descending?: boolean;
}

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

const encode = (listing: string, key: string) => Buffer.from(JSON.stringify([listing, key])).toString('base64url');

function decode(listing: string, token: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || parsed[0] !== listing || typeof parsed[1] !== 'string') {
    throw new ApiError(400, `nextToken: not a token of the ${listing} listing (pass the X-Next-Token of its previous page)`);
  }
  return parsed[1];
}

export async function page<T>(listing: Listing<T>, query: PageQuery): Promise<Page<T>> {
  const limit = query.limit ?? DEFAULT_PAGE;
  const after = query.nextToken === undefined ? undefined : decode(listing.name, query.nextToken);
  // Read as far as the token's position and one page beyond it (the store reads from the start).
  for (let n = limit + 1; ; n *= 4) {
    const all = await listing.first(n);
    const keys = all.map((item, i) => listing.key(item, i));
    let start = 0;
    if (after !== undefined) {
      const at = keys.indexOf(after);
      // The token's item may be gone (a dead letter deleted): start at the first one beyond its key.
      start = at >= 0 ? at + 1 : keys.findIndex((k) => (listing.descending ? k < after : k > after));
      if (start < 0) start = all.length;
    }
    const exhausted = all.length < n;
    if (all.length - start > limit || exhausted) {
      const items = all.slice(start, start + limit);
      const more = all.length - start > limit;
      return more ? { items, nextToken: encode(listing.name, keys[start + limit - 1] as string) } : { items };
    }
  }
}

/** A fixed-width number, so keys compare as the numbers do. */
export const padded = (n: number) => String(Math.max(0, Math.floor(n))).padStart(16, '0');
