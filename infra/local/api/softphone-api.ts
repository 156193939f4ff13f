import { Hono } from 'hono';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import { z } from 'zod';
import type { Clock, Logger } from '../../../handlers/ports.ts';
import { SoftphoneError, type ConnectSimulator, type SimulatedCall } from '../aws/connect/connect-simulator.ts';
import { ApiError, jsonBody, valid } from '../http/request-validation.ts';
import type { LiveFeed, LiveMessage } from './live-feed.ts';

/**
 * The console's softphone and live stream (docs/console.md, "Live updates" and "The softphone"):
 *
 *   GET/PUT /api/softphone                      the "answer in browser" switch
 *   GET     /api/softphone/calls                browser calls ringing or up, and those ended in the last 10 minutes
 *   POST    /api/softphone/calls/:id/answer     | decline | busy | keys {"keys"} | hang-up
 *   GET     /api/stream                         server-sent events: hello, event, incident, call, softphone
 *
 * The stream never holds the runtime up: each client has its own queue, written out as fast as the
 * client reads; a client whose backlog passes the cap (dead, or far too slow) is cut off, and the
 * page reconnects and reloads. A comment line every 15 s keeps idle connections open.
 */

export interface SoftphoneDeps {
  simulator: ConnectSimulator;
  feed: LiveFeed;
  clock: Clock;
  timeScale: number;
  log: Logger;
}

export interface StreamLimits {
  /** A client is cut off when this many bytes wait for it (default 4 MiB). */
  maxBacklogBytes?: number;
  /** The keep-alive comment's interval, real milliseconds (default 15 s). */
  keepAliveMs?: number;
}

export const MAX_BACKLOG_BYTES = 4 * 1024 * 1024;
export const KEEP_ALIVE_MS = 15_000;

const switchBody = z.object({ answerInBrowser: z.boolean() }).strict();
const keysBody = z.object({ keys: z.string().min(1, 'press at least one key').max(20, 'at most 20 keys at a time').regex(/^[0-9*#]+$/, 'may hold only 0-9, * and #') }).strict();
const contactParam = z.object({ contactId: z.string().min(1).max(256) });

export function softphoneApi(deps: SoftphoneDeps, limits: StreamLimits = {}): Hono {
  const { simulator, feed } = deps;
  const api = new Hono({ strict: false });

  /** Runs a softphone action; its SoftphoneError is the API's 404 or 409. */
  async function acting(action: () => Promise<SimulatedCall>): Promise<SimulatedCall> {
    try {
      return await action();
    } catch (error) {
      if (error instanceof SoftphoneError) throw new ApiError(error.status, error.message);
      throw error;
    }
  }

  api.get('/softphone', (c) => c.json({ answerInBrowser: simulator.answerInBrowser }));
  api.put('/softphone', jsonBody, valid('json', switchBody), (c) => {
    simulator.setAnswerInBrowser(c.req.valid('json').answerInBrowser);
    return c.json({ answerInBrowser: simulator.answerInBrowser });
  });
  api.get('/softphone/calls', async (c) => c.json(await Promise.all(simulator.browserCalls().map((call) => feed.softphoneCall(call)))));

  const actions = {
    answer: (id: string) => simulator.answer(id),
    decline: (id: string) => simulator.decline(id),
    busy: (id: string) => simulator.busy(id),
    'hang-up': (id: string) => simulator.hangUp(id),
  } as const;
  for (const [name, action] of Object.entries(actions)) {
    api.post(`/softphone/calls/:contactId/${name}`, valid('param', contactParam), async (c) => {
      const call = await acting(() => action(c.req.valid('param').contactId));
      return c.json(await feed.softphoneCall(call));
    });
  }
  api.post('/softphone/calls/:contactId/keys', valid('param', contactParam), jsonBody, valid('json', keysBody), async (c) => {
    const { contactId } = c.req.valid('param');
    const call = await acting(() => simulator.pressKeys(contactId, c.req.valid('json').keys));
    return c.json(await feed.softphoneCall(call));
  });

  api.get('/stream', (c) =>
    streamSSE(c, async (stream) => {
      const client = new StreamClient(stream, limits.maxBacklogBytes ?? MAX_BACKLOG_BYTES);
      const unsubscribe = feed.subscribe((message) => {
        if (!client.send(message)) deps.log.warn('a live-stream client fell too far behind; it is cut off (the page reconnects and reloads)', { backlogBytes: client.backlog });
      });
      const keepAlive = setInterval(() => client.comment('keep-alive'), limits.keepAliveMs ?? KEEP_ALIVE_MS);
      const stop = () => client.close();
      stream.onAbort(stop);
      c.req.raw.signal.addEventListener('abort', stop, { once: true });
      try {
        client.send({ event: 'hello', data: { now: new Date(deps.clock.now()).toISOString(), timeScale: deps.timeScale, answerInBrowser: simulator.answerInBrowser } });
        await client.pump();
      } finally {
        unsubscribe();
        clearInterval(keepAlive);
        c.req.raw.signal.removeEventListener('abort', stop);
      }
    }),
  );

  return api;
}

type Outgoing = { kind: 'message'; event: string; data: string } | { kind: 'comment'; text: string };

/** One stream's queue: filled synchronously by the feed, written out by `pump` as fast as the client takes it. */
class StreamClient {
  private readonly queue: Outgoing[] = [];
  private bytes = 0;
  private closed = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly stream: SSEStreamingApi,
    private readonly maxBacklogBytes: number,
  ) {}

  get backlog(): number {
    return this.bytes;
  }

  /** Queues a message; false (and the client is closed) when its backlog would pass the cap. */
  send(message: LiveMessage | { event: 'hello'; data: unknown }): boolean {
    if (this.closed) return true;
    const data = JSON.stringify(message.data);
    return this.enqueue({ kind: 'message', event: message.event, data }, data.length + message.event.length + 16);
  }

  comment(text: string): void {
    if (!this.closed) this.enqueue({ kind: 'comment', text }, text.length + 4);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.bytes = 0;
    // A write waiting on a client that does not read is released (its stream is cancelled).
    this.stream.abort();
    this.wake?.();
  }

  /** Writes the queue out until the client goes away or is cut off. */
  async pump(): Promise<void> {
    while (!this.closed) {
      const next = this.queue.shift();
      if (!next) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      this.bytes -= next.kind === 'message' ? next.data.length + next.event.length + 16 : next.text.length + 4;
      if (next.kind === 'message') await this.stream.writeSSE({ event: next.event, data: next.data });
      else await this.stream.write(`: ${next.text}\n\n`);
    }
  }

  private enqueue(item: Outgoing, size: number): boolean {
    if (this.bytes + size > this.maxBacklogBytes) {
      this.close();
      return false;
    }
    this.queue.push(item);
    this.bytes += size;
    this.wake?.();
    return true;
  }
}
