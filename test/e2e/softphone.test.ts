import { mkdtempSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../handlers/lib/logger.ts';
import type { SoftphoneCall } from '../../infra/local/api/live-feed.ts';
import { startDynalite } from '../../infra/local/aws/dynamodb/dynalite.ts';
import { startRuntime, type Runtime } from '../../infra/local/runtime.ts';
import { closeDynalite, Harness, T0 } from '../harness/harness.ts';
import { VirtualTime } from '../harness/virtual-time.ts';
import { http } from './support.ts';

/**
 * The console's softphone through the real runtime on virtual time: alerts are put on the bus,
 * the calls the escalation places ring in the browser (no script for the number), and the test
 * acts for the callee over HTTP exactly as the page does. Between requests, virtual time only
 * moves when the test moves it.
 */

const AKI = '+819011110001';
const BEN = '+819011110002';
const CHO = '+819011110003';
const ALERT = { alertinfo: [{ host: 'server1', service: 'CPU Utilization', lastcheck: '2026-11-24 10:00:00', systemname: 'XYZ' }] };
const ROSTER = {
  system: 'XYZ',
  alertTimezone: 'Asia/Tokyo',
  responders: [
    { name: 'Aki', phone: AKI, language: 'ja-JP' as const, timezone: 'Asia/Tokyo' },
    { name: 'Ben', phone: BEN, language: 'en-US' as const, timezone: 'Asia/Tokyo' },
    { name: 'Cho', phone: CHO, language: 'ja-JP' as const, timezone: 'Asia/Tokyo' },
  ],
};

interface CallRow {
  contactId: string;
  destination: string;
  attempt: number;
  outcome?: string;
  digits?: string;
  disconnectReason?: string;
}

const browserCalls = (h: Harness) => http<SoftphoneCall[]>(h.rt, 'GET', '/api/softphone/calls').then((r) => r.body);
const act = (h: Harness, contactId: string, action: string, body?: unknown) => http<SoftphoneCall & { message?: string }>(h.rt, 'POST', `/api/softphone/calls/${contactId}/${action}`, body);
const calls = (h: Harness) => http<CallRow[]>(h.rt, 'GET', '/api/calls').then((r) => r.body);

/** The one browser call ringing now. */
async function ringing(h: Harness): Promise<SoftphoneCall> {
  const list = (await browserCalls(h)).filter((c) => c.state === 'ringing');
  expect(list).toHaveLength(1);
  return list[0]!;
}

afterAll(closeDynalite);

describe('the softphone: calls that ring in the browser', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.start();
    await h.roster(ROSTER);
  });

  it('an unscripted phone rings in the browser; answered, 1 keyed: acknowledged, and nobody else is called', async () => {
    await h.sendAlert(ALERT);
    const call = await ringing(h);
    const incident = await h.onlyIncident();
    expect(call).toMatchObject({
      incidentId: incident.incidentId,
      attempt: 1,
      inBrowser: true,
      responder: 'Aki',
      language: 'ja-JP',
      destination: '+81******0001',
      state: 'ringing',
      startedAt: new Date(T0).toISOString(),
      keys: '',
      transcript: [],
    });

    await h.advance(4_000);
    const answered = await act(h, call.contactId, 'answer');
    expect(answered.status).toBe(200);
    expect(answered.body).toMatchObject({ state: 'connected', connectedAt: new Date(T0 + 4_000).toISOString() });
    expect(answered.body.transcript[0]).toMatchObject({ at: new Date(T0 + 4_000).toISOString(), language: 'ja-JP', voice: 'Kazuha', interrupted: false });

    await h.advance(3_000); // the alert is being read
    const keyed = await act(h, call.contactId, 'keys', { keys: '1' });
    expect(keyed.status).toBe(200);
    expect(keyed.body.keys).toBe('1');
    expect(keyed.body.transcript[0]).toMatchObject({ endAt: new Date(T0 + 7_000).toISOString(), interrupted: true });

    await h.settle();
    expect(await h.onlyIncident()).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'Aki' });
    h.expectCalls([AKI]);
    expect(await calls(h)).toMatchObject([{ contactId: call.contactId, outcome: 'acknowledged', digits: '1', disconnectReason: 'CONTACT_FLOW_DISCONNECT' }]);
    const [ended] = await browserCalls(h);
    expect(ended).toMatchObject({ contactId: call.contactId, state: 'ended', disconnectReason: 'CONTACT_FLOW_DISCONNECT' });
    expect(ended!.transcript.at(-1)?.text).toBe('確認を受け付けました。対応をお願いします。');
    await h.assertNoUnexpectedCalls();
  });

  it('"92#": silenced for 2 hours, and the silence is listed', async () => {
    await h.sendAlert(ALERT);
    const call = await ringing(h);
    await h.advance(2_000);
    await act(h, call.contactId, 'answer');
    await h.advance(2_000);
    expect((await act(h, call.contactId, 'keys', { keys: '92#' })).body.keys).toBe('9 2 #');
    await h.settle();
    const incident = await h.onlyIncident();
    expect(incident.status).toBe('silenced');
    const silences = (await http<{ silenceId: string; scope: { system: string }; from: string; until: string; incidentId?: string; active: boolean }[]>(h.rt, 'GET', '/api/silences')).body;
    expect(silences).toHaveLength(1);
    expect(silences[0]).toMatchObject({ scope: { system: 'XYZ' }, incidentId: incident.incidentId });
    expect(Date.parse(silences[0]!.until) - Date.parse(silences[0]!.from)).toBe(2 * 3_600_000);
    expect(await calls(h)).toMatchObject([{ outcome: 'silenced', digits: '92#' }]);
    h.expectCalls([AKI]);
    await h.assertNoUnexpectedCalls();
  });

  it('declined: TELECOM_UNANSWERED, and the next responder rings at once', async () => {
    await h.sendAlert(ALERT);
    const aki = await ringing(h);
    await h.advance(5_000);
    expect((await act(h, aki.contactId, 'decline')).body).toMatchObject({ state: 'ended', disconnectReason: 'TELECOM_UNANSWERED', endedAt: new Date(T0 + 5_000).toISOString() });
    await h.drain();
    const ben = await ringing(h);
    expect(ben).toMatchObject({ responder: 'Ben', attempt: 2, language: 'en-US', startedAt: new Date(T0 + 5_000).toISOString() });
    h.expectCalls([AKI, BEN]);
    expect((await calls(h))[0]).toMatchObject({ outcome: 'no-answer', disconnectReason: 'TELECOM_UNANSWERED' });
  });

  it('busy: TELECOM_BUSY', async () => {
    await h.sendAlert(ALERT);
    const aki = await ringing(h);
    await h.advance(1_000);
    expect((await act(h, aki.contactId, 'busy')).body).toMatchObject({ state: 'ended', disconnectReason: 'TELECOM_BUSY' });
    await h.drain();
    expect((await calls(h))[0]).toMatchObject({ outcome: 'busy', disconnectReason: 'TELECOM_BUSY' });
    h.expectCalls([AKI, BEN]);
  });

  it('hung up during the alert: CUSTOMER_DISCONNECT, the prompt cut there', async () => {
    await h.sendAlert(ALERT);
    const aki = await ringing(h);
    await act(h, aki.contactId, 'answer');
    await h.advance(2_500);
    const hung = await act(h, aki.contactId, 'hang-up');
    expect(hung.body).toMatchObject({ state: 'ended', disconnectReason: 'CUSTOMER_DISCONNECT', endedAt: new Date(T0 + 2_500).toISOString() });
    expect(hung.body.transcript).toMatchObject([{ endAt: new Date(T0 + 2_500).toISOString(), interrupted: true }]);
  });

  it('left alone, a browser call rings out at 60 s, as an unscripted phone always did', async () => {
    await h.sendAlert(ALERT);
    const aki = await ringing(h);
    await h.advance(59_999);
    expect((await ringing(h)).contactId).toBe(aki.contactId);
    await h.advance(1);
    await h.drain();
    expect((await browserCalls(h)).find((c) => c.contactId === aki.contactId)).toMatchObject({ state: 'ended', disconnectReason: 'TELECOM_UNANSWERED', endedAt: new Date(T0 + 60_000).toISOString() });
    expect((await ringing(h)).responder).toBe('Ben');
  });

  it('answers 404 for a contact that is not a browser call, 409 for a call in the wrong state, 400 for bad keys', async () => {
    h.phone(BEN, { answer: true, afterSeconds: 5, digits: '1' });
    await h.sendAlert(ALERT);
    const aki = await ringing(h);
    expect(await act(h, aki.contactId, 'keys', { keys: '1' })).toMatchObject({ status: 409, body: { message: 'the call is not connected: it is ringing' } });
    expect(await act(h, 'no-such-contact', 'answer')).toMatchObject({ status: 404, body: { message: expect.stringMatching(/not a call ringing in the browser/) } });
    expect(await act(h, aki.contactId, 'keys', { keys: '1a' })).toMatchObject({ status: 400, body: { message: 'keys: may hold only 0-9, * and #' } });
    expect(await act(h, aki.contactId, 'keys', { keys: '1'.repeat(21) })).toMatchObject({ status: 400, body: { message: 'keys: at most 20 keys at a time' } });
    expect((await act(h, aki.contactId, 'answer')).status).toBe(200);
    expect(await act(h, aki.contactId, 'answer')).toMatchObject({ status: 409, body: { message: 'the call is not ringing: it is connected' } });
    expect(await act(h, aki.contactId, 'decline')).toMatchObject({ status: 409, body: { message: 'the call is not ringing: it is connected' } });
    expect(await act(h, aki.contactId, 'busy')).toMatchObject({ status: 409 });
    expect((await act(h, aki.contactId, 'keys', { keys: '3' })).status).toBe(200);
    await h.advance(30_000); // the call ends (skipped); Ben's scripted phone is called
    await h.drain();
    expect(await act(h, aki.contactId, 'hang-up')).toMatchObject({ status: 409, body: { message: 'the call is not ringing or connected: it has ended (CONTACT_FLOW_DISCONNECT)' } });
    const ben = h.phones.calls.find((c) => c.destination === BEN);
    expect(ben).toBeDefined();
    expect(ben!.inBrowser).toBeUndefined(); // it follows its script
    expect(await act(h, ben!.contactId, 'answer')).toMatchObject({ status: 404 });
    expect((await browserCalls(h)).map((c) => c.contactId)).toEqual([aki.contactId]);
  });
});

describe('the "answer in browser" switch', () => {
  let dynamo: Awaited<ReturnType<typeof startDynalite>>;
  const runtimes: Runtime[] = [];
  beforeEach(async () => {
    dynamo = await startDynalite();
  });
  afterEach(async () => {
    await Promise.all(runtimes.splice(0).map((r) => r.stop()));
    await dynamo.close();
  });

  async function start(dataDir: string, table: string, time: VirtualTime): Promise<Runtime> {
    const rt = await startRuntime({ timers: time, dynamo: { endpoint: dynamo.endpoint, table }, dataDir, port: 0, log: silentLogger });
    runtimes.push(rt);
    return rt;
  }

  it('overrides a script (not refused) and survives a restart; a browser call up at the restart is cut (OTHER)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'yobidashi-softphone-'));
    const table = `yobidashi-${randomUUID()}`;
    const time = new VirtualTime(T0);
    const first = await start(dataDir, table, time);
    expect((await http(first, 'PUT', `/api/phones/${AKI}`, { answer: true, afterSeconds: 5, digits: '1' })).status).toBe(200);
    expect((await http(first, 'PUT', `/api/phones/${BEN}`, { refused: true })).status).toBe(200);
    expect((await http(first, 'GET', '/api/softphone')).body).toEqual({ answerInBrowser: false });
    expect(await http(first, 'PUT', '/api/softphone', { answerInBrowser: 'yes' })).toMatchObject({ status: 400 });
    expect((await http(first, 'PUT', '/api/softphone', { answerInBrowser: true })).body).toEqual({ answerInBrowser: true });
    expect((await http(first, 'PUT', `/api/rosters/XYZ`, ROSTER)).status).toBe(200);
    await first.emulator.putEvents([{ EventBusName: 'yobidashi', Source: 'nagios', DetailType: 'AlertReceived', Detail: JSON.stringify(ALERT) }]);
    await time.advance(10_000); // Aki's script would have answered at 5 s and pressed 1
    const [call] = (await http<SoftphoneCall[]>(first, 'GET', '/api/softphone/calls')).body;
    expect(call).toMatchObject({ responder: 'Aki', inBrowser: true, state: 'ringing' });
    expect(first.simulator.calls[0]!.behaviour).toEqual({ answer: true, afterSeconds: 5, digits: '1' }); // the script is kept, just not followed

    await first.stop(); // as if killed: the call is up
    const restartAt = T0 + 20_000;
    const second = await start(dataDir, table, new VirtualTime(restartAt));
    expect((await http(second, 'GET', '/api/softphone')).body).toEqual({ answerInBrowser: true });
    expect((await http(second, 'GET', '/api/phones')).body).toEqual({ [AKI]: { answer: true, afterSeconds: 5, digits: '1' }, [BEN]: { refused: true } });
    expect((await http<SoftphoneCall[]>(second, 'GET', '/api/softphone/calls')).body).toMatchObject([
      { contactId: call!.contactId, inBrowser: true, responder: 'Aki', state: 'ended', disconnectReason: 'OTHER', endedAt: new Date(restartAt).toISOString() },
    ]);
    // A refused number stays refused: the switch is about the phone, not about Connect.
    await expect(second.simulator.startCall({ clientToken: 'ben-1', destination: BEN, attributes: {} })).rejects.toThrow(/not allowed/);
    // Off again: the script is followed.
    expect((await http(second, 'PUT', '/api/softphone', { answerInBrowser: false })).body).toEqual({ answerInBrowser: false });
    await second.simulator.startCall({ clientToken: 'aki-2', destination: AKI, attributes: { incidentId: 'x', attempt: '9' } });
    expect(second.simulator.calls.at(-1)!.inBrowser).toBeUndefined();
  });
});
