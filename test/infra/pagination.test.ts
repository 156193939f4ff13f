import { describe, expect, it } from 'vitest';
import { page, padded, type Listing } from '../../infra/local/api/pagination.ts';

/** The local API's listings: pages by position, so items added or removed between pages skip nothing. */
describe('pages of a listing', () => {
  const ascending = (items: string[]): Listing<string> => ({ name: 'letters', first: (n) => items.slice(0, n), key: (item) => item });

  it('walks the whole listing in pages of the limit, then says no more', async () => {
    const items = Array.from({ length: 23 }, (_, i) => `dl-${padded(i)}`);
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const p = await page(ascending(items), token === undefined ? { limit: 5 } : { limit: 5, nextToken: token });
      seen.push(...p.items);
      token = p.nextToken;
      pages++;
    } while (token !== undefined);
    expect(pages).toBe(5);
    expect(seen).toEqual(items);
  });

  it('the item a token points at is gone (a dead letter redriven): the next page starts beyond it', async () => {
    const items = ['a', 'b', 'c', 'd', 'e'];
    const first = await page(ascending(items), { limit: 2 });
    expect(first.items).toEqual(['a', 'b']);
    items.splice(1, 1); // b is deleted
    expect((await page(ascending(items), { limit: 2, nextToken: first.nextToken as string })).items).toEqual(['c', 'd']);
  });

  it('newest first: items arriving between pages do not shift the next page', async () => {
    const incidents = [50, 40, 30, 20, 10];
    const listing: Listing<number> = { name: 'incidents', descending: true, first: (n) => incidents.slice(0, n), key: (t) => padded(t) };
    const first = await page(listing, { limit: 2 });
    incidents.unshift(60, 55);
    const second = await page(listing, { limit: 2, nextToken: first.nextToken as string });
    expect([first.items, second.items]).toEqual([
      [50, 40],
      [30, 20],
    ]);
  });

  it('the default page is 100', async () => {
    const items = Array.from({ length: 150 }, (_, i) => padded(i));
    const p = await page(ascending(items), {});
    expect(p.items).toHaveLength(100);
    expect(p.nextToken).toBeDefined();
  });
});
