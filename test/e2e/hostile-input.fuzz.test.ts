import { mkdtemp } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../handlers/lib/logger.ts';
import { startRuntime, type Runtime } from '../../infra/local/runtime.ts';

/**
 * Hostile input against `npm start` itself: random PutEvents requests mixing good alerts with
 * every kind of bad entry, random local API bodies and query strings, clients that hang up
 * mid-body, request targets that are not URLs. After every case the runtime still answers, and
 * every good alert beside a bad one is accepted exactly once (never dropped, never doubled).
 */
let rt: Runtime;
beforeAll(async () => {
  rt = await startRuntime({ dataDir: await mkdtemp(join(tmpdir(), 'yobidashi-fuzz-')), port: 0, timeScale: 60, log: silentLogger });
});
afterAll(() => rt.stop());

async function healthy(): Promise<void> {
  const res = await fetch(`${rt.url}/api/health`);
  expect(res.status).toBe(200);
}

async function putEvents(body: string): Promise<{ status: number; json: unknown }> {
  const res = await fetch(rt.url, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.PutEvents' }, body });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

let marker = 0;
const goodEntry = () => {
  const id = `fuzz-${++marker}`;
  return { id, entry: { EventBusName: 'yobidashi', Source: 'fuzz', DetailType: 'AlertReceived', Detail: JSON.stringify({ systemname: 'FUZZ', host: id, service: 'svc' }) } };
};
const accepted = (id: string) => rt.emulator.archive.filter((e) => e.source === 'fuzz' && (e.detail as { host?: string }).host === id).length;

/** Entries AWS answers with a per-entry error, or refuses the whole request for. */
const badEntry = fc.oneof(
  fc.constant<unknown>(null),
  fc.constant<unknown>({ EventBusName: 'yobidashi', Source: 'fuzz', DetailType: 'AlertReceived', Detail: '{"unclosed' }),
  fc.constant<unknown>({ EventBusName: 'yobidashi', Source: 'fuzz', Detail: '{}' }),
  fc.constant<unknown>({ EventBusName: 5, Source: 'fuzz', DetailType: 'x', Detail: '{}' }),
  fc.constant<unknown>({ EventBusName: 'yobidashi', Source: 1, DetailType: 'x', Detail: '{}' }),
  fc.constant<unknown>({ EventBusName: 'yobidashi', Source: 'fuzz', DetailType: 'x', Detail: '{}', Time: 'not a date' }),
  fc.constant<unknown>({ EventBusName: 'yobidashi', Source: 'fuzz', DetailType: 'x', Detail: '{}', Resources: [1] }),
  fc.constant<unknown>({ EventBusName: 'yobidashi', Source: 'aws.cloudwatch', DetailType: 'x', Detail: '{}' }),
  fc.constant<unknown>({ EventBusName: 'default', Source: 'aws.cloudwatch', DetailType: 'x', Detail: '{}' }),
  fc.constant<unknown>({ EventBusName: 'nope', Source: 'fuzz', DetailType: 'x', Detail: '{}' }),
  fc.constant<unknown>({ EventBusName: 'yobidashi', Source: 'fuzz', DetailType: 'x', Detail: `${'['.repeat(10_000)}${']'.repeat(10_000)}` }),
  fc.constant<unknown>({ EventBusName: 'yobidashi', Source: 'fuzz', DetailType: 'x', Detail: `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}` }),
  fc.constant<unknown>({ EventBusName: 'yobidashi', Source: 'fuzz', DetailType: 'x', Detail: JSON.stringify({ big: 'x'.repeat(300_000) }) }),
  fc.dictionary(fc.string(), fc.jsonValue()),
  fc.jsonValue(),
);

describe('hostile input never takes the runtime down or loses an alert', () => {
  it('PutEvents: good entries beside bad ones are accepted exactly once, or the request is refused whole', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(badEntry.map((bad) => ({ bad })), fc.constant({ bad: undefined })), { minLength: 1, maxLength: 10 }), async (slots) => {
        const goods: string[] = [];
        const entries = slots.map((slot) => {
          if (slot.bad !== undefined) return slot.bad;
          const g = goodEntry();
          goods.push(g.id);
          return g.entry;
        });
        const { status, json } = await putEvents(JSON.stringify({ Entries: entries }));
        expect(status, JSON.stringify(json).slice(0, 300)).toBeLessThan(500);
        const acceptedNow = goods.map(accepted);
        if (status === 200) {
          const results = (json as { Entries: ({ EventId?: string; ErrorCode?: string } | undefined)[] }).Entries;
          expect(results).toHaveLength(entries.length);
          // Every good entry was accepted exactly once.
          expect(acceptedNow).toEqual(goods.map(() => 1));
          for (const [i, r] of results.entries()) expect(r?.EventId !== undefined || r?.ErrorCode !== undefined, `entry ${i}`).toBe(true);
        } else {
          // Refused whole (400): nothing of it was accepted.
          expect(acceptedNow).toEqual(goods.map(() => 0));
        }
        await healthy();
      }),
      { numRuns: 150 },
    );
    // Nothing accepted poisons what reads the archive later.
    const list = await fetch(rt.url, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.ListArchives' }, body: '{}' });
    expect(list.status).toBe(200);
    const now = Date.now() / 1000;
    const replay = await fetch(rt.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.StartReplay' },
      body: JSON.stringify({ ReplayName: 'fuzz-replay', EventSourceArn: rt.emulator.archiveArn(), EventStartTime: now - 86_400 * 30, EventEndTime: now + 86_400 * 30, Destination: { Arn: rt.emulator.busArn('yobidashi') } }),
    });
    expect(replay.status).toBe(200);
    await new Promise((r) => setTimeout(r, 500));
    await healthy();
  }, 120_000);

  it('the local API: random bodies and query strings get 2xx or 4xx naming the problem, never 500', async () => {
    const paths = ['/api/rosters/FUZZ', '/api/silences', '/api/phones/+819011110001', '/api/faults', '/api/dead-letters/redrive'];
    const methods = ['PUT', 'POST'];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), fc.constantFrom(...methods), fc.oneof(fc.jsonValue(), fc.string()), async (path, method, body) => {
        const res = await fetch(`${rt.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
        expect(res.status, `${method} ${path} ${JSON.stringify(body).slice(0, 200)}`).toBeLessThan(500);
        await healthy();
      }),
      { numRuns: 200 },
    );
    for (const query of ['limit=0', 'limit=-1', 'limit=abc', 'limit=1e9', 'limit=']) {
      for (const listing of ['/api/incidents', '/api/rejections', '/api/calls', '/api/dead-letters']) {
        const res = await fetch(`${rt.url}${listing}?${query}`);
        expect(res.status, `${listing}?${query}`).toBeLessThan(500);
      }
    }
    await healthy();
  }, 120_000);

  it('clients that hang up mid-body, and request targets that are not URLs, leave it running', async () => {
    const raw = (text: string) =>
      new Promise<void>((resolve) => {
        const socket = connect(rt.port, '127.0.0.1', () => {
          socket.write(text);
          setTimeout(() => {
            socket.destroy();
            resolve();
          }, 30);
        });
        socket.on('error', () => resolve());
      });
    await raw('POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AWSEvents.PutEvents\r\nContent-Length: 1000\r\n\r\n{"Entries":[');
    await raw('PUT /api/rosters/X HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{"resp');
    await raw('GET //[ HTTP/1.1\r\nHost: x\r\n\r\n');
    await raw('GET //%zz/ HTTP/1.1\r\nHost: x\r\n\r\n');
    await raw('GET /api/incidents/%E0%A4%A HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((r) => setTimeout(r, 100));
    await healthy();
  });
});

describe('the local API refuses what it cannot keep, naming the field', () => {
  it('unknown roster fields, over-long names, silences past a year', async () => {
    const send = async (method: string, path: string, body: unknown) => {
      const res = await fetch(`${rt.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, message: ((await res.json()) as { message?: string }).message ?? '' };
    };
    const responder = { name: 'A', phone: '+819011110001' };
    expect(await send('PUT', '/api/rosters/XYZ', { responders: [responder], groupby: ['system'] })).toMatchObject({ status: 400, message: expect.stringMatching(/groupby/) });
    expect(await send('PUT', '/api/rosters/XYZ', { responders: [{ ...responder, phon: '+1' }] })).toMatchObject({ status: 400, message: expect.stringMatching(/responders\.0.*phon/) });
    expect(await send('PUT', `/api/rosters/${'x'.repeat(300)}`, { responders: [responder] })).toMatchObject({ status: 400, message: expect.stringMatching(/system/) });
    expect(await send('POST', '/api/silences', { system: 'x'.repeat(300) })).toMatchObject({ status: 400, message: expect.stringMatching(/^system:/) });
    expect(await send('POST', '/api/silences', { system: 'XYZ', hours: 24 * 366 })).toMatchObject({ status: 400, message: expect.stringMatching(/^hours:/) });
    const farAway = new Date(rt.clock.now() + 400 * 86_400_000).toISOString();
    expect(await send('POST', '/api/silences', { system: 'XYZ', until: farAway })).toMatchObject({ status: 400, message: expect.stringMatching(/^until: must be within 8760 hours/) });
    expect((await send('PUT', '/api/rosters/XYZ', { responders: [responder], minCallGapSeconds: 30 })).status).toBe(200);
  });
});
