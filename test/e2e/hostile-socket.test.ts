import { connect } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { closeDynalite, Harness } from '../harness/harness.ts';

/**
 * The one port against requests no SDK would send, written raw on a socket: clients that hang up
 * mid-body, request targets that are not URLs, malformed %-escapes, bad listing limits. Each gets
 * a 4xx or a dropped connection, and the runtime still answers /api/health afterwards. Also: the
 * listings page with ?limit and the X-Next-Token they answer with.
 */

let h: Harness;
afterEach(async () => {
  await h?.close();
});
afterAll(closeDynalite);

/** Writes `text` on a fresh connection; the status of the answer, or 'closed' if none came. */
function raw(port: number, text: string, options: { hangUp?: boolean } = {}): Promise<number | 'closed'> {
  return new Promise((resolve) => {
    let answer = '';
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(text);
      if (options.hangUp) {
        socket.destroy();
        resolve('closed');
      }
    });
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      answer += chunk;
      const status = /^HTTP\/1\.1 (\d{3})/.exec(answer);
      if (status) {
        socket.destroy();
        resolve(Number(status[1]));
      }
    });
    socket.on('error', () => resolve('closed'));
    socket.on('close', () => resolve('closed'));
    setTimeout(() => {
      socket.destroy();
      resolve('closed');
    }, 2000);
  });
}

async function healthy(h: Harness): Promise<void> {
  const res = await fetch(`${h.rt.url}/api/health`);
  expect(res.status).toBe(200);
  expect(((await res.json()) as { ok: boolean }).ok).toBe(true);
}

const json = async (res: Response) => ({ status: res.status, body: (await res.json()) as { message?: string } });

describe('the port survives hostile requests', () => {
  it('clients that hang up mid-body, on every protocol, leave it running', async () => {
    h = await Harness.start();
    const { port } = h.rt;
    const partial = [
      'POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSEvents.PutEvents\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 1000\r\n\r\n{"Entries":[',
      'POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.Scan\r\nContent-Length: 1000\r\n\r\n{"TableName"',
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nAction=Describe',
      'PUT /api/rosters/X HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{"resp',
      'POST /2015-03-31/functions/yobidashi-local-sweep/invocations HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{"a',
    ];
    for (const request of partial) expect(await raw(port, request, { hangUp: true })).toBe('closed');
    // And one that hangs up a moment later, once the server is reading the body.
    for (const request of partial) {
      const socket = connect(port, '127.0.0.1');
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.write(request);
      await new Promise((resolve) => setTimeout(resolve, 20));
      socket.resetAndDestroy();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    await healthy(h);
  });

  it('request targets that are not URLs get a 4xx or a closed connection', async () => {
    h = await Harness.start();
    for (const target of ['//[', '//%zz/', '/%', 'http://[', '*', '/a b', '//[::1']) {
      const status = await raw(h.rt.port, `GET ${target} HTTP/1.1\r\nHost: x\r\n\r\n`);
      expect(status === 'closed' || (status >= 400 && status < 500), `${target}: ${status}`).toBe(true);
    }
    expect(await raw(h.rt.port, 'NOT HTTP AT ALL\r\n\r\n')).toSatisfy((s: number | 'closed') => s === 'closed' || (s >= 400 && s < 500));
    await healthy(h);
  });

  it('a malformed %-escape in a path parameter is a 400 naming the parameter', async () => {
    h = await Harness.start();
    const cases: [string, string, string][] = [
      ['GET', '/api/incidents/%E0%A4%A', 'id'],
      ['GET', '/api/rosters/%zz', 'system'],
      ['DELETE', '/api/silences/%', 'id'],
      ['PUT', '/api/phones/%E0', 'phone'],
      ['GET', '/schedules/%zz', 'name'],
      ['GET', '/contacts/local/%E0%A4%A', 'contact'],
    ];
    for (const [method, path, field] of cases) {
      const { status, body } = await json(await fetch(`${h.rt.url}${path}`, { method, ...(method === 'PUT' ? { body: '{"answer":true}' } : {}) }));
      expect([status, body.message?.split(':')[0]], `${method} ${path}`).toEqual([400, field]);
    }
    await healthy(h);
  });

  it('?limit outside 1–1000, and a nextToken no listing gave, are a 400 naming the field', async () => {
    h = await Harness.start();
    for (const listing of ['/api/incidents', '/api/rejections', '/api/calls', '/api/dead-letters']) {
      for (const limit of ['0', '-1', 'abc', '1e3', '', '1001', '2.5']) {
        const { status, body } = await json(await fetch(`${h.rt.url}${listing}?limit=${limit}`));
        expect([status, body.message], `${listing}?limit=${limit}`).toEqual([400, 'limit: must be a whole number from 1 to 1000']);
      }
      const { status, body } = await json(await fetch(`${h.rt.url}${listing}?nextToken=nonsense`));
      expect(status).toBe(400);
      expect(body.message).toMatch(/^nextToken: /);
      expect((await fetch(`${h.rt.url}${listing}?limit=1000`)).status).toBe(200);
    }
  });
});

describe('listings page with ?limit and X-Next-Token', () => {
  /** Every page of a listing, following X-Next-Token (and checking the Link header says the same). */
  async function pages(url: string, limit: number): Promise<unknown[][]> {
    const out: unknown[][] = [];
    let token: string | null = null;
    do {
      const res: Response = await fetch(`${url}?limit=${limit}${token ? `&nextToken=${token}` : ''}`);
      expect(res.status).toBe(200);
      out.push((await res.json()) as unknown[]);
      token = res.headers.get('x-next-token');
      if (token) expect(res.headers.get('link')).toBe(`<${new URL(url).pathname}?limit=${limit}&nextToken=${token}>; rel="next"`);
      else expect(res.headers.get('link')).toBeNull();
    } while (token);
    return out;
  }

  it('incidents, rejections and calls: pages of the limit, in order, nothing skipped or repeated', async () => {
    h = await Harness.start();
    await h.roster({ system: 'XYZ', rounds: 1, responders: [{ name: 'Aki', phone: '+819011110001', language: 'en-US', timezone: 'Asia/Tokyo' }] });
    for (let i = 0; i < 23; i++) {
      await h.sendAlert({ systemname: 'XYZ', host: `host${i}`, service: 'CPU' });
      await h.advance(1000);
    }
    // 12 bad entries: each rejected, and recorded.
    for (let i = 0; i < 12; i++) await h.cloud.putEvents([{ EventBusName: 'yobidashi', Source: 'nagios', DetailType: 'AlertReceived', Detail: `{"bad": ${i}` }]);
    await h.settle();
    const url = h.rt.url;
    expect(h.phones.calls.length).toBeGreaterThan(1);
    for (const [listing, size, key, limit] of [
      ['incidents', 23, 'incidentId', 5],
      ['rejections', 12, 'rejectionId', 5],
      ['calls', h.phones.calls.length, 'contactId', 1],
    ] as const) {
      const all = (await (await fetch(`${url}/api/${listing}`)).json()) as Record<string, string>[];
      expect(all, listing).toHaveLength(size);
      const paged = await pages(`${url}/api/${listing}`, limit);
      expect(paged.length, listing).toBe(Math.ceil(size / limit));
      expect(paged.map((p) => p.length).slice(0, -1).every((n) => n === limit), listing).toBe(true);
      expect(paged.flat().map((item) => (item as Record<string, string>)[key]), listing).toEqual(all.map((item) => item[key]));
    }
    // A token is good for its own listing only.
    const token = (await fetch(`${url}/api/rejections?limit=2`)).headers.get('x-next-token');
    expect(token).toBeTruthy();
    const other = await json(await fetch(`${url}/api/incidents?nextToken=${token}`));
    expect(other).toEqual({ status: 400, body: { message: 'nextToken: not a token of the incidents listing (pass the X-Next-Token of its previous page)' } });
  });
});
