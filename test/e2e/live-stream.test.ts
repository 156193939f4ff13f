import { createAdaptorServer } from '@hono/node-server';
import { connect } from 'node:net';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../handlers/lib/logger.ts';
import type { SoftphoneCall } from '../../infra/local/api/live-feed.ts';
import { softphoneApi } from '../../infra/local/api/softphone-api.ts';
import { closeDynalite, Harness, T0 } from '../harness/harness.ts';
import { eventually, http } from './support.ts';

/**
 * `GET /api/stream` read by a real HTTP client (fetch, as EventSource reads it) while the runtime
 * runs on virtual time: what the console's page sees, in the order it sees it.
 */

const AKI = '+819011110001';
const ALERT = { alertinfo: [{ host: 'server1', service: 'CPU Utilization', lastcheck: '2026-11-24 10:00:00', systemname: 'XYZ' }] };
const ROSTER = {
  system: 'XYZ',
  alertTimezone: 'Asia/Tokyo',
  responders: [
    { name: 'Aki', phone: AKI, language: 'ja-JP' as const, timezone: 'Asia/Tokyo' },
    { name: 'Ben', phone: '+819011110002', language: 'en-US' as const, timezone: 'Asia/Tokyo' },
  ],
};

interface Frame {
  event?: string;
  data?: unknown;
  comment?: string;
}

/** A client of a server-sent-event stream: every frame it has read so far, in order. */
function openStream(url: string) {
  const controller = new AbortController();
  const frames: Frame[] = [];
  let status = 0;
  let contentType = '';
  const reading = (async () => {
    try {
      const res = await fetch(url, { signal: controller.signal, headers: { accept: 'text/event-stream' } });
      status = res.status;
      contentType = res.headers.get('content-type') ?? '';
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const frame: Frame = {};
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) frame.comment = line.slice(1).trim();
            else if (line.startsWith('event: ')) frame.event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (data.length) frame.data = JSON.parse(data.join('\n'));
          frames.push(frame);
        }
      }
    } catch (error) {
      if (!controller.signal.aborted) throw error;
    }
  })();
  return {
    frames,
    status: () => status,
    contentType: () => contentType,
    /** Waits (real time) until a frame satisfies `accept`; returns it. */
    async next(accept: (frame: Frame) => boolean, what: string): Promise<Frame> {
      return (await eventually(async () => frames.find(accept), (f) => f !== undefined, what, 20_000)) as Frame;
    },
    async close(): Promise<void> {
      controller.abort();
      await reading;
    },
  };
}

const named = (event: string) => (f: Frame) => f.event === event;
const callFrames = (frames: Frame[], contactId: string) => frames.filter((f) => f.event === 'call' && (f.data as SoftphoneCall).contactId === contactId).map((f) => f.data as SoftphoneCall);

afterAll(closeDynalite);

describe('GET /api/stream', () => {
  let h: Harness;
  const streams: ReturnType<typeof openStream>[] = [];
  beforeEach(async () => {
    h = await Harness.start();
    await h.roster(ROSTER);
  });
  afterEach(async () => {
    await Promise.all(streams.splice(0).map((s) => s.close()));
  });
  const open = () => {
    const s = openStream(`${h.rt.url}/api/stream`);
    streams.push(s);
    return s;
  };

  it('says hello, then the incident and its call as they happen, in order', async () => {
    const s = open();
    const hello = await s.next(named('hello'), 'hello');
    expect(s.status()).toBe(200);
    expect(s.contentType()).toMatch(/^text\/event-stream/);
    expect(hello.data).toEqual({ now: new Date(T0).toISOString(), timeScale: 1, answerInBrowser: false });
    expect(s.frames[0]).toBe(hello);

    await h.sendAlert(ALERT);
    const incidentId = (await h.onlyIncident()).incidentId;
    await s.next((f) => f.event === 'call' && (f.data as SoftphoneCall).state === 'ringing', 'the call ringing');
    const [call] = (await http<SoftphoneCall[]>(h.rt, 'GET', '/api/softphone/calls')).body;
    await h.advance(3_000);
    await http(h.rt, 'POST', `/api/softphone/calls/${call!.contactId}/answer`);
    await h.advance(2_000);
    await http(h.rt, 'POST', `/api/softphone/calls/${call!.contactId}/keys`, { keys: '1' });
    await h.settle();
    await s.next((f) => f.event === 'incident' && (f.data as { status: string }).status === 'acknowledged', 'the incident acknowledged');
    await s.next((f) => f.event === 'call' && (f.data as SoftphoneCall).state === 'ended', 'the call ended');

    const events = s.frames.filter(named('event')).map((f) => f.data as { detailType: string; bus: string; incidentId?: string; time: string });
    expect(events[0]).toMatchObject({ detailType: 'AlertReceived', bus: 'yobidashi', time: new Date(T0).toISOString() });
    expect(events).toContainEqual(expect.objectContaining({ detailType: 'IncidentOpened', bus: 'yobidashi', incidentId }));
    expect(events).toContainEqual(expect.objectContaining({ detailType: 'Amazon Connect Contact Event', bus: 'default' }));
    // The incident's summary follows the first event that names it, its record already written.
    const firstNaming = s.frames.findIndex((f) => f.event === 'event' && (f.data as { incidentId?: string }).incidentId === incidentId);
    const firstIncident = s.frames.findIndex(named('incident'));
    expect(firstIncident).toBeGreaterThan(firstNaming);
    expect(s.frames[firstIncident]!.data).toMatchObject({ incidentId, status: 'open', system: 'XYZ', host: 'server1' });
    expect(s.frames.filter(named('incident')).at(-1)!.data).toMatchObject({ incidentId, status: 'acknowledged', acknowledgedBy: 'Aki' });

    // The call, as it went: ringing, connected (the alert read), the key, the end; never backwards.
    const seen = callFrames(s.frames, call!.contactId);
    const order = { ringing: 0, connected: 1, ended: 2 };
    expect(seen.map((c) => order[c.state])).toEqual([...seen.map((c) => order[c.state])].sort());
    expect(new Set(seen.map((c) => c.state))).toEqual(new Set(['ringing', 'connected', 'ended']));
    expect(seen.every((c) => c.responder === 'Aki' && c.inBrowser && c.incidentId === incidentId && c.destination === '+81******0001')).toBe(true);
    expect(seen.find((c) => c.state === 'connected' && c.keys === '')?.transcript).toHaveLength(1);
    const keyed = seen.findIndex((c) => c.keys === '1');
    expect(keyed).toBeGreaterThan(0);
    expect(seen[keyed]!.transcript[0]!.interrupted).toBe(true);
    expect(seen.at(-1)).toMatchObject({ state: 'ended', disconnectReason: 'CONTACT_FLOW_DISCONNECT', keys: '1' });
  });

  it('scripted calls are streamed too, and the switch when it is flipped', async () => {
    h.phone(AKI, { answer: true, afterSeconds: 5, digits: '1' });
    const s = open();
    await s.next(named('hello'), 'hello');
    await http(h.rt, 'PUT', '/api/softphone', { answerInBrowser: true });
    expect((await s.next(named('softphone'), 'the switch')).data).toEqual({ answerInBrowser: true });
    await http(h.rt, 'PUT', '/api/softphone', { answerInBrowser: false });
    await h.sendAlert(ALERT);
    await h.settle();
    const ended = await s.next((f) => f.event === 'call' && (f.data as SoftphoneCall).state === 'ended', 'the scripted call ended');
    expect(ended.data).toMatchObject({ inBrowser: false, responder: 'Aki', keys: '1', disconnectReason: 'CONTACT_FLOW_DISCONNECT' });
    expect(s.frames.filter(named('softphone')).map((f) => f.data)).toEqual([{ answerInBrowser: true }, { answerInBrowser: false }]);
  });

  it('50 streams opened and closed leave no listener behind', async () => {
    const feedBaseline = h.rt.feed.subscribers;
    const simulatorBaseline = h.rt.simulator.listenerCount();
    const many = Array.from({ length: 50 }, () => openStream(`${h.rt.url}/api/stream`));
    await Promise.all(many.map((s) => s.next(named('hello'), 'hello')));
    expect(h.rt.feed.subscribers).toBe(feedBaseline + 50);
    await Promise.all(many.map((s) => s.close()));
    await eventually(async () => h.rt.feed.subscribers, (n) => n === feedBaseline, 'every stream to unsubscribe');
    expect(h.rt.simulator.listenerCount()).toBe(simulatorBaseline);
  });
});

describe('a stream client that does not keep up', () => {
  let h: Harness;
  let server: Server | undefined;
  beforeEach(async () => {
    h = await Harness.start();
  });
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
    server = undefined;
  });

  /** The stream's routes alone, on a port of their own, with a small backlog cap and a fast keep-alive. */
  async function serveStream(limits: { maxBacklogBytes?: number; keepAliveMs?: number }): Promise<string> {
    const app = softphoneApi({ simulator: h.rt.simulator, feed: h.rt.feed, clock: h.time, timeScale: 1, log: silentLogger }, limits);
    server = createAdaptorServer({ fetch: app.fetch }) as Server;
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', () => resolve()));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('is cut off once its backlog passes the cap; publishing never waits for it', async () => {
    const url = await serveStream({ maxBacklogBytes: 64 * 1024 });
    const baseline = h.rt.feed.subscribers;
    const socket = connect(Number(new URL(url).port), '127.0.0.1');
    socket.write('GET /stream HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n');
    socket.pause(); // never reads: the kernel's buffers fill, then the server's writes stall
    await eventually(async () => h.rt.feed.subscribers, (n) => n === baseline + 1, 'the stream to subscribe');
    const payload = 'x'.repeat(1024);
    let published = 0;
    let slowestBatchMs = 0;
    while (h.rt.feed.subscribers > baseline && published < 200_000) {
      const began = performance.now();
      for (let i = 0; i < 32; i++) {
        // Publishing is synchronous (it returns nothing to wait on), so a stalled client cannot hold it up.
        const returned: unknown = h.rt.feed.publish({ event: 'event', data: { detailType: 'Filler', detail: { payload, n: published++ } } });
        expect(returned).toBeUndefined();
      }
      slowestBatchMs = Math.max(slowestBatchMs, performance.now() - began);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(h.rt.feed.subscribers).toBe(baseline);
    // How long a batch took is printed, not asserted (timing belongs in npm run bench).
    console.log(`a client that never reads was cut off after ${published} messages of 1 KB (${Math.round((published * 1.07) / 1024)} MiB published; cap 64 KiB queued); slowest batch of 32 publishes ${slowestBatchMs.toFixed(2)} ms`);
    socket.destroy();
  });

  it('gets a keep-alive comment when nothing happens', async () => {
    const url = await serveStream({ keepAliveMs: 30 });
    const s = openStream(`${url}/stream`);
    await s.next((f) => f.comment === 'keep-alive', 'a keep-alive comment');
    expect(s.frames[0]?.event).toBe('hello');
    await s.close();
  });
});
