import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CALL_FLOW, CalleeActionError, ContactRun, RING_TIMEOUT_MS, runContact, type Callee, type ContactOptions, type ContactResult } from '../../contact-flow/index.ts';
import { digitsFromFlow } from '../../domain/keypad.ts';
import { outcomeFromDigits } from '../../domain/outcome.ts';

/**
 * The live callee: the console's softphone answers, keys and hangs up while the run goes on, and
 * the run wakes early to take it in. Driven here as the Connect simulator drives it: before the
 * callee acts at a moment, the run is brought up to that moment; after, it steps again at it.
 */

const T0 = Date.parse('2026-11-24T01:00:00Z');
const MENU_EN =
  'This is yobidashi, an automated alert call. An alert for CPU on db1 of system XYZ. Press 1 to acknowledge, 3 to pass it to the next person, or 9 to silence it.';

function options(callee: Callee, reported: string[] = []): ContactOptions {
  return {
    contactId: 'c-1',
    attributes: { incidentId: 'inc-1', attempt: '1', systemname: 'XYZ', host: 'db1', service: 'CPU', language: 'en-US', message: 'An alert for CPU on db1 of system XYZ.', messageSsml: 'An alert for CPU on db1 of system XYZ.', count: '1' },
    callee,
    // The flow-result Lambda, answering as the handler does (the outcome of the keyed digits).
    invokeLambda: async (_arn, event) => {
      const { choice = '', hours = '' } = event.Details.Parameters;
      reported.push(`${choice}/${hours}`);
      const { outcome, silenceHours } = outcomeFromDigits(digitsFromFlow(choice, hours));
      return { status: 'recorded', outcome, ...(silenceHours ? { hours: String(silenceHours) } : {}) };
    },
    startMs: T0,
  };
}

/** Something the callee does at a moment, if the call is then in the state it needs. */
type Act = { atMs: number; needs: 'ringing' | 'connected'; act: (run: ContactRun, atMs: number) => void };
const answer = (atMs: number): Act => ({ atMs, needs: 'ringing', act: (run, at) => run.answer(at) });
const reject = (atMs: number, reason: string): Act => ({ atMs, needs: 'ringing', act: (run, at) => run.reject(at, reason) });
const press = (atMs: number, keys: string): Act => ({ atMs, needs: 'connected', act: (run, at) => run.press(keys, at) });
const hangUp = (atMs: number): Act => ({ atMs, needs: 'connected', act: (run, at) => run.hangUp(at) });

/** Drives a live run to its end: wakes when it asks, and the callee's acts at their moments (skipped when the call is in another state). */
async function drive(run: ContactRun, acts: Act[]): Promise<ContactResult> {
  const queue = [...acts].sort((a, b) => a.atMs - b.atMs);
  let next = await run.step(T0);
  for (;;) {
    const act = queue[0];
    if (act && (next === undefined || act.atMs <= next)) {
      queue.shift();
      next = await run.step(act.atMs); // what is due by then happens first
      if (run.result.state !== act.needs) continue;
      act.act(run, act.atMs);
      next = await run.step(act.atMs);
    } else if (next !== undefined) {
      next = await run.step(next);
    } else return run.result;
  }
}

const spoken = (r: ContactResult) => r.transcript.map((s) => `${s.interrupted ? '(cut) ' : ''}${s.text}`);

describe('a live callee', () => {
  it('answers at 4 s and presses 1 at 10 s: the same result, attributes and timing as the scripted callee', async () => {
    const scriptedReports: string[] = [];
    const scripted = await runContact(CALL_FLOW, options({ kind: 'answer', afterSeconds: 4, presses: [{ keys: '1', atSeconds: 6 }] }, scriptedReports));
    const liveReports: string[] = [];
    const live = await drive(new ContactRun(CALL_FLOW, options({ kind: 'live' }, liveReports)), [answer(T0 + 4_000), press(T0 + 10_000, '1')]);
    expect(live).toEqual(scripted);
    expect(liveReports).toEqual(['1/0']);
    expect(scriptedReports).toEqual(liveReports);
    expect(live).toMatchObject({ connectedAtMs: T0 + 4_000, disconnectReason: 'CONTACT_FLOW_DISCONNECT', attributes: { choice: '1', hours: '0' } });
    expect(spoken(live)).toEqual([`(cut) ${MENU_EN}`, 'Acknowledged. It is yours. Thank you.']);
  });

  it('a key pressed while the alert is read cuts the prompt at that moment', async () => {
    const run = new ContactRun(CALL_FLOW, options({ kind: 'live' }));
    await drive(run, [answer(T0 + 2_000), press(T0 + 3_500, '3')]);
    const [menu] = run.result.transcript;
    expect(menu).toMatchObject({ atMs: T0 + 2_000, endMs: T0 + 3_500, interrupted: true });
    expect(run.result.attributes).toMatchObject({ choice: '3' });
    expect(run.result.log.filter((e) => e.kind === 'input')).toEqual([{ atMs: T0 + 3_500, kind: 'input', actionId: 'menu-en', keys: '3', result: 'condition' }]);
  });

  it('9, then 2 and # keyed one by one: stored input "2", silenced for 2 hours', async () => {
    const reports: string[] = [];
    const run = new ContactRun(CALL_FLOW, options({ kind: 'live' }, reports));
    const result = await drive(run, [answer(T0 + 1_000), press(T0 + 3_000, '9'), press(T0 + 6_000, '2'), press(T0 + 7_000, '#')]);
    expect(reports).toEqual(['9/2']);
    expect(spoken(result)).toEqual([`(cut) ${MENU_EN}`, expect.stringMatching(/^\(cut\) Enter the number of hours/), 'Silenced for 2 hours.']);
    expect(result.log.filter((e) => e.kind === 'input').map((e) => e.kind === 'input' && [e.atMs - T0, e.keys])).toEqual([
      [3_000, '9'],
      [7_000, '2#'],
    ]);
    expect(run.keysSent(result.endedAtMs!)).toBe('92#');
  });

  it('"92#" in one go is keyed 250 ms apart: the same silence', async () => {
    const reports: string[] = [];
    const result = await drive(new ContactRun(CALL_FLOW, options({ kind: 'live' }, reports)), [answer(T0 + 1_000), press(T0 + 3_000, '92#')]);
    expect(reports).toEqual(['9/2']);
    expect(result.log.filter((e) => e.kind === 'input').map((e) => e.kind === 'input' && [e.atMs - T0, e.keys])).toEqual([
      [3_000, '9'],
      [3_500, '2#'],
    ]);
  });

  it('keys sent while a burst is still being keyed follow it, 250 ms apart', async () => {
    const run = new ContactRun(CALL_FLOW, options({ kind: 'live' }));
    await drive(run, [answer(T0 + 1_000), press(T0 + 3_000, '9'), press(T0 + 6_000, '12'), press(T0 + 6_100, '#')]);
    expect(run.result.log.filter((e) => e.kind === 'input').map((e) => e.kind === 'input' && [e.atMs - T0, e.keys])).toEqual([
      [3_000, '9'],
      [6_500, '12#'], // 1 at 6 s, 2 at 6.25 s, # at 6.5 s (not 6.1 s: the burst was still being keyed)
    ]);
  });

  it('hangs up in the middle of the alert: CUSTOMER_DISCONNECT then, the prompt cut, nothing reported', async () => {
    const reports: string[] = [];
    const result = await drive(new ContactRun(CALL_FLOW, options({ kind: 'live' }, reports)), [answer(T0 + 5_000), hangUp(T0 + 8_000)]);
    expect(result).toMatchObject({ state: 'ended', disconnectReason: 'CUSTOMER_DISCONNECT', endedAtMs: T0 + 8_000 });
    expect(spoken(result)).toEqual([`(cut) ${MENU_EN}`]);
    expect(result.transcript[0]!.endMs).toBe(T0 + 8_000);
    expect(reports).toEqual([]);
  });

  it('a wake before the moment the run asked for changes nothing', async () => {
    const run = new ContactRun(CALL_FLOW, options({ kind: 'live' }));
    expect(await run.step(T0)).toBe(T0 + RING_TIMEOUT_MS);
    run.answer(T0 + 2_000);
    const menuEnds = await run.step(T0 + 2_000); // connected; the menu is read, then 5 s for a key
    expect(menuEnds).toBeGreaterThan(T0 + 7_000);
    const before = structuredClone(run.result);
    // A stale timer (set for a moment the run no longer waits for) fires: nothing moves.
    expect(await run.step(T0 + 5_000)).toBe(menuEnds);
    expect(await run.step(T0 + 2_000)).toBe(menuEnds);
    expect(run.result).toEqual(before);
  });

  it('left alone, it rings out at 60 s as an unscripted phone always did', async () => {
    const live = await drive(new ContactRun(CALL_FLOW, options({ kind: 'live' })), []);
    expect(live).toEqual(await runContact(CALL_FLOW, options({ kind: 'ring-out' })));
    expect(live).toMatchObject({ state: 'ended', disconnectReason: 'TELECOM_UNANSWERED', endedAtMs: T0 + RING_TIMEOUT_MS, transcript: [] });
    expect(live.connectedAtMs).toBeUndefined();
  });

  it('declined or busy: the call ends then, with that reason', async () => {
    const declined = await drive(new ContactRun(CALL_FLOW, options({ kind: 'live' })), [reject(T0 + 7_000, 'TELECOM_UNANSWERED')]);
    expect(declined).toMatchObject({ state: 'ended', disconnectReason: 'TELECOM_UNANSWERED', endedAtMs: T0 + 7_000 });
    const busy = await drive(new ContactRun(CALL_FLOW, options({ kind: 'live' })), [reject(T0 + 3_000, 'TELECOM_BUSY')]);
    expect(busy).toEqual(await runContact(CALL_FLOW, options({ kind: 'busy' })));
  });

  it('refuses what the call is in no state for', async () => {
    const run = new ContactRun(CALL_FLOW, options({ kind: 'live' }));
    await run.step(T0);
    expect(() => run.press('1', T0 + 1_000)).toThrow(CalleeActionError);
    expect(() => run.hangUp(T0 + 1_000)).toThrow(/not connected/);
    run.answer(T0 + 1_000);
    expect(() => run.answer(T0 + 1_000)).toThrow(/not ringing/);
    await run.step(T0 + 1_000);
    expect(() => run.reject(T0 + 2_000, 'TELECOM_BUSY')).toThrow(/not ringing/);
    expect(() => run.press('1a', T0 + 2_000)).toThrow(/0-9, \* and #/);
    expect(() => new ContactRun(CALL_FLOW, options({ kind: 'answer' })).answer(T0)).toThrow(/scripted callee/);
  });
});

/**
 * One implementation of the semantics: any scripted callee, replayed as a live callee acting at the
 * same moments, gives the very same result (transcript, attributes, log, times, reason). Presses
 * do not overlap (a live burst queues behind one still being keyed, scripted ones interleave), and
 * the hang-up falls on an odd millisecond, off the grid of speech and keys.
 */
describe('a scripted callee is a live callee whose actions are known in advance', () => {
  const pressArb = fc.record({ keys: fc.stringMatching(/^[0-9*#]{1,4}$/), gapTenths: fc.integer({ min: 0, max: 120 }) });
  const scriptArb = fc.oneof(
    { weight: 1, arbitrary: fc.constantFrom<Callee>({ kind: 'busy' }, { kind: 'invalid' }, { kind: 'ring-out' }) },
    {
      weight: 6,
      arbitrary: fc.record({
        afterTenths: fc.integer({ min: 0, max: 650 }),
        presses: fc.array(pressArb, { maxLength: 5 }),
        hangUpTenths: fc.option(fc.integer({ min: 1, max: 600 }), { nil: undefined }),
        keyBias: fc.constantFrom('any', 'menu'),
      }),
    },
  );

  it('the same result for 200 generated callees', async () => {
    await fc.assert(
      fc.asyncProperty(scriptArb, async (script) => {
        if ('kind' in script) {
          const live = await drive(
            new ContactRun(CALL_FLOW, options({ kind: 'live' })),
            script.kind === 'busy' ? [reject(T0 + 3_000, 'TELECOM_BUSY')] : script.kind === 'invalid' ? [reject(T0 + 1_000, 'TELECOM_NUMBER_INVALID')] : [],
          );
          expect(live).toEqual(await runContact(CALL_FLOW, options(script)));
          return;
        }
        // Presses one after another: each starts once the one before has been keyed.
        let atMs = 0;
        const presses = script.presses.map((p, i) => {
          const keys = script.keyBias === 'menu' ? p.keys.replace(/[0245678*]/g, (k) => '139#'[k.charCodeAt(0) % 4]!) : p.keys;
          atMs += (i === 0 ? 0 : script.presses[i - 1]!.keys.length * 250) + p.gapTenths * 100;
          return { keys, atSeconds: atMs / 1000 };
        });
        const callee: Callee = { kind: 'answer', afterSeconds: script.afterTenths / 10, presses };
        const hangUpMs = script.hangUpTenths === undefined ? undefined : script.hangUpTenths * 100 + 7;
        if (hangUpMs !== undefined) callee.hangUpAfterSeconds = hangUpMs / 1000;
        const scripted = await runContact(CALL_FLOW, options(callee));

        const answeredAt = T0 + script.afterTenths * 100;
        const acts: Act[] = [];
        if (answeredAt < T0 + RING_TIMEOUT_MS) {
          acts.push(answer(answeredAt));
          for (const p of presses) if (hangUpMs === undefined || p.atSeconds * 1000 < hangUpMs) acts.push(press(answeredAt + p.atSeconds * 1000, p.keys));
          if (hangUpMs !== undefined) acts.push(hangUp(answeredAt + hangUpMs));
        }
        const live = await drive(new ContactRun(CALL_FLOW, options({ kind: 'live' })), acts);
        expect(live).toEqual(scripted);
      }),
      { seed: 20261124, numRuns: 200 },
    );
  });
});
