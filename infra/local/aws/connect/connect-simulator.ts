import { randomUUID } from 'node:crypto';
import { CALL_FLOW, ContactRun, type Callee, type ContactResult, type LambdaInvoker, type Speech } from '../../../../contact-flow/index.ts';
import type { RawFlow } from '../../../../contact-flow/flow-language.ts';
import { maskPhone } from '../../../../domain/roster.ts';
import { CONTACT_EVENT_DETAIL_TYPE } from '../../../../events/connect.ts';
import { CallRejectedError, type Bus, type ContactState, type Logger, type StartCallRequest, type Telephony } from '../../../../handlers/ports.ts';
import type { Timers } from '../../clock/timers.ts';
import { ConnectJournal, legacyTokens, type CallEnd, type ConnectRecord, type PhoneBehaviour } from './connect-journal.ts';

export type { PhoneBehaviour } from './connect-journal.ts';

/**
 * A simulated Amazon Connect instance: StartOutboundVoiceContact rings a simulated phone and runs
 * our generated contact flow through the interpreter, invoking the flow-result handler as Connect
 * would invoke the Lambda, and publishes Connect's contact events (INITIATED, CONNECTED_TO_SYSTEM,
 * DISCONNECTED) on the bus. As with real Connect, DISCONNECTED carries no reason: DescribeContact
 * has it.
 *
 * With a journal (connect-journal.ts) nothing it knows is lost on restart: phone scripts, every
 * call with its ClientToken, and how each went. A call that was up when the process died is ended
 * at the restart, as Connect reports a contact dropped by a failure on its side: DisconnectReason
 * `OTHER` (CUT_CALL_REASON), DisconnectTimestamp the restart time.
 *
 * The softphone: a call to a number with no script, or any call (but to a `refused` number) while
 * "answer in browser" is on, rings in the console: its callee is live (contact-flow/interpreter.ts)
 * and the console answers, declines, keys and hangs up through `answer`, `decline`, `busy`,
 * `pressKeys` and `hangUp`. Left alone it rings out after 60 s, as an unscripted phone always did.
 * `onCall` hears every change of every call (scripted ones too), for the console's live stream.
 */

/**
 * The DisconnectReason of a call cut by the simulator's process dying. Connect's contact record
 * data model (Administrator Guide, "DisconnectReason") lists no voice reason for a failure of
 * Connect itself: TELECOM_PROBLEM is the destination network ("this does not represent an Amazon
 * Connect failure"), and OTHER is "disconnection reasons not covered by the above codes". So OTHER.
 */
export const CUT_CALL_REASON = 'OTHER';

/** Connect keeps a ClientToken for 7 days after the contact it started (StartOutboundVoiceContact). */
export const CLIENT_TOKEN_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** How long an ended browser call stays in the softphone's list. */
export const SOFTPHONE_RECENT_MS = 10 * 60 * 1000;

/** A softphone request the call is not there for (404) or not in a state for (409). */
export class SoftphoneError extends Error {
  constructor(
    readonly status: 404 | 409,
    message: string,
  ) {
    super(message);
    this.name = 'SoftphoneError';
  }
}

export type CallState = 'ringing' | 'connected' | 'ended';

/** A call as the console shows it (docs/console.md, SoftphoneCall), but for the responder's name, which the contact records know. */
export interface CallView {
  contactId: string;
  incidentId: string | undefined;
  attempt: number | undefined;
  inBrowser: boolean;
  language: string | undefined;
  /** Masked as the contact records keep it. */
  destination: string;
  state: CallState;
  startedAt: string;
  connectedAt?: string;
  endedAt?: string;
  disconnectReason?: string;
  /** The keys pressed so far, one character each, separated by spaces ("9 2 #"). */
  keys: string;
  transcript: { at: string; endAt: string; text: string; language: string; voice: string; interrupted: boolean }[];
}

export interface SimulatedCall {
  contactId: string;
  clientToken: string;
  destination: string;
  attributes: Record<string, string>;
  placedAt: number;
  behaviour: PhoneBehaviour;
  run: ContactRun | undefined;
  /** A call that answers and then never progresses: only StopContact ends it. */
  stuck?: { connectedAt: number; endedAt?: number; reason?: string };
  /** A call that ended before this process started (read from the journal): how it ended. */
  ended?: CallEnd;
  /** It rang in the browser: its callee is the console's softphone. */
  inBrowser?: boolean;
}

/** What happened on a call so far. */
export interface CallStatus {
  connected: boolean;
  connectedAt?: number;
  endedAt?: number;
  reason?: string;
  transcript: Speech[];
  /** The live run's whole result (attributes, tags, the flow's log); none for a call from before a restart. */
  result?: ContactResult;
  /** The keys the callee has pressed so far (a call from before a restart: as journalled). */
  keys: string;
}

export interface SimulatorPersistence {
  /** The journal (`<data-dir>/connect.jsonl`). */
  file: string;
  /** Where earlier versions kept ClientTokens (`connect-tokens.tsv`): moved into the journal once. */
  legacyTokenFile?: string;
  log?: Logger;
}

export function calleeFor(behaviour: PhoneBehaviour): Callee {
  if ('busy' in behaviour) return { kind: 'busy' };
  if ('invalid' in behaviour) return { kind: 'invalid' };
  if (!('answer' in behaviour) || !behaviour.answer) return { kind: 'ring-out' };
  const callee: Callee = { kind: 'answer', afterSeconds: behaviour.afterSeconds ?? 5 };
  if (behaviour.digits) callee.presses = [{ keys: behaviour.digits, atSeconds: behaviour.pressAfterSeconds ?? 2 }];
  if (behaviour.hangUpAfterSeconds !== undefined) callee.hangUpAfterSeconds = behaviour.hangUpAfterSeconds;
  return callee;
}

/** How much of a live call is on disk. */
interface Journalled {
  connected: boolean;
  said: number;
  ended: boolean;
}

/**
 * How a call's run is driven: one step at a time (`chain`), and the wake it is waiting for. Every
 * wake is a timer carrying a token; a timer whose token is no longer the call's is stale (the run
 * woke earlier for the callee's action and asked for another moment) and does nothing.
 */
interface Driver {
  chain: Promise<unknown>;
  token: number;
  at: number | undefined;
}

export type CallListener = (call: SimulatedCall) => void;
export type SoftphoneListener = (answerInBrowser: boolean) => void;

export class ConnectSimulator implements Telephony {
  readonly calls: SimulatedCall[] = [];
  private readonly phones = new Map<string, PhoneBehaviour>();
  private readonly byToken = new Map<string, SimulatedCall>();
  private readonly forgotten = new Set<string>();
  private readonly journal: ConnectJournal;
  private readonly journalled = new Map<string, Journalled>();
  private readonly drivers = new Map<string, Driver>();
  private readonly callListeners = new Set<CallListener>();
  private readonly softphoneListeners = new Set<SoftphoneListener>();
  /** What each call looked like when listeners last heard of it. */
  private readonly heard = new Map<string, string>();
  private inBrowser = false;
  /** ClientTokens from before calls were journalled: the contact each started, and when we learnt it. */
  private readonly legacy = new Map<string, { contactId: string; at: number }>();
  /** Drop Connect's contact events, to prove the safety-net check reconciles without them. */
  dropContactEvents = false;
  invokeLambda: LambdaInvoker = async () => {
    throw new Error('no flow-result function is wired to the Connect simulator');
  };

  constructor(
    private readonly timers: Timers,
    private readonly bus: Bus,
    private readonly flow: RawFlow = CALL_FLOW,
    private readonly instanceArn = 'arn:aws:connect:us-east-1:000000000000:instance/local',
    persistence?: SimulatorPersistence,
  ) {
    this.journal = new ConnectJournal(persistence?.file, persistence?.log);
    if (persistence) this.restore(persistence);
  }

  setPhone(phone: string, behaviour: PhoneBehaviour): void {
    this.journal.append({ kind: 'phone', phone, behaviour });
    this.phones.set(phone, behaviour);
  }

  /** The scripted phones. Any other number rings in the browser (the console's softphone). */
  phoneList(): Record<string, PhoneBehaviour> {
    return Object.fromEntries(this.phones);
  }

  /** A phone's script; undefined for a phone with none, which rings in the browser. */
  phone(phone: string): PhoneBehaviour | undefined {
    return this.phones.get(phone);
  }

  /** "Answer in browser": every call but to a `refused` number rings in the console, whatever its script. */
  get answerInBrowser(): boolean {
    return this.inBrowser;
  }

  setAnswerInBrowser(on: boolean): void {
    if (on === this.inBrowser) return;
    this.journal.append({ kind: 'softphone', answerInBrowser: on });
    this.inBrowser = on;
    for (const listener of this.softphoneListeners) this.tell(() => listener(on));
  }

  /** Hears every change of every call: placed, connected, speaking, a key, ended. Returns the unsubscribe. */
  onCall(listener: CallListener): () => void {
    this.callListeners.add(listener);
    return () => this.callListeners.delete(listener);
  }

  /** Hears the "answer in browser" switch being flipped. Returns the unsubscribe. */
  onSoftphone(listener: SoftphoneListener): () => void {
    this.softphoneListeners.add(listener);
    return () => this.softphoneListeners.delete(listener);
  }

  /** How many listeners are subscribed (calls, switch): a closed stream must leave none behind. */
  listenerCount(): number {
    return this.callListeners.size + this.softphoneListeners.size;
  }

  /** The contact a ClientToken started, while Connect still keeps the token (7 days). */
  contactFor(clientToken: string): string | undefined {
    const now = this.timers.now();
    const call = this.byToken.get(clientToken);
    if (call) return now - call.placedAt < CLIENT_TOKEN_TTL_MS ? call.contactId : undefined;
    const earlier = this.legacy.get(clientToken);
    return earlier && now - earlier.at < CLIENT_TOKEN_TTL_MS ? earlier.contactId : undefined;
  }

  async startCall(request: StartCallRequest): Promise<{ contactId: string }> {
    const existing = this.contactFor(request.clientToken);
    if (existing) return { contactId: existing };
    const script = this.phone(request.destination);
    if (script && 'refused' in script) throw new CallRejectedError('Outbound calls to this destination are not allowed', 'DestinationNotAllowedException');
    const behaviour = script ?? { answer: false };
    const inBrowser = script === undefined || this.inBrowser;
    const now = this.timers.now();
    const contactId = randomUUID();
    const call: SimulatedCall = { contactId, clientToken: request.clientToken, destination: request.destination, attributes: request.attributes, placedAt: now, behaviour, run: undefined };
    if (inBrowser) call.inBrowser = true;
    // On disk before the phone rings: a call the journal does not know never rang.
    this.journal.appendOrThrow({ kind: 'call', contactId, clientToken: call.clientToken, destination: call.destination, attributes: call.attributes, placedAt: now, behaviour, ...(inBrowser ? { inBrowser } : {}) });
    this.journalled.set(contactId, { connected: false, said: 0, ended: false });
    if (!inBrowser && 'answer' in behaviour && behaviour.answer && behaviour.stuck) {
      const connectedAt = now + (behaviour.afterSeconds ?? 5) * 1000;
      call.stuck = { connectedAt };
      this.timers.at(connectedAt, async () => {
        this.record(call);
        await this.contactEvent(call, 'CONNECTED_TO_SYSTEM', connectedAt);
        this.changed(call);
      });
    } else {
      const callee: Callee = inBrowser ? { kind: 'live' } : calleeFor(behaviour);
      call.run = new ContactRun(this.flow, { contactId, attributes: request.attributes, callee, invokeLambda: (arn, event) => this.invokeLambda(arn, event), startMs: now });
      const driver: Driver = { chain: Promise.resolve(), token: 1, at: now };
      this.drivers.set(contactId, driver);
      this.timers.at(now, () => this.drive(call, now, 1));
    }
    this.calls.push(call);
    this.byToken.set(request.clientToken, call);
    await this.contactEvent(call, 'INITIATED', now);
    this.changed(call);
    return { contactId };
  }

  // -------------------------------------------------------------------------------------------
  // The softphone: the console acting for the callee of a browser call

  /** Browser calls ringing or connected, and those that ended in the last 10 minutes, newest first. */
  browserCalls(): SimulatedCall[] {
    const since = this.timers.now() - SOFTPHONE_RECENT_MS;
    return this.calls
      .filter((c) => c.inBrowser && (this.status(c).endedAt ?? Number.POSITIVE_INFINITY) >= since)
      .reverse()
      .sort((a, b) => b.placedAt - a.placedAt);
  }

  /** A browser call by its contact id; 404 for any other contact. */
  browserCall(contactId: string): SimulatedCall {
    const call = this.calls.find((c) => c.contactId === contactId);
    if (!call?.inBrowser) throw new SoftphoneError(404, `${contactId} is not a call ringing in the browser`);
    return call;
  }

  /** The callee answers a ringing call: it connects now and the flow starts. */
  answer(contactId: string): Promise<SimulatedCall> {
    return this.act(contactId, ['ringing'], 'ringing', (run, now) => run.answer(now));
  }

  /** The callee declines a ringing call: it ends now, TELECOM_UNANSWERED (as a call nobody picks up). */
  decline(contactId: string): Promise<SimulatedCall> {
    return this.act(contactId, ['ringing'], 'ringing', (run, now) => run.reject(now, 'TELECOM_UNANSWERED'));
  }

  /** The callee is busy: a ringing call ends now, TELECOM_BUSY. */
  busy(contactId: string): Promise<SimulatedCall> {
    return this.act(contactId, ['ringing'], 'ringing', (run, now) => run.reject(now, 'TELECOM_BUSY'));
  }

  /** The callee keys `keys` on a connected call, from now, 250 ms apart. */
  pressKeys(contactId: string, keys: string): Promise<SimulatedCall> {
    return this.act(contactId, ['connected'], 'connected', (run, now, call) => {
      run.press(keys, now);
      this.journal.append({ kind: 'pressed', contactId: call.contactId, keys, at: now });
    });
  }

  /** The callee hangs up: a connected call ends now, CUSTOMER_DISCONNECT; a ringing one is declined. */
  hangUp(contactId: string): Promise<SimulatedCall> {
    return this.act(contactId, ['ringing', 'connected'], 'ringing or connected', (run, now) => {
      if (run.result.state === 'ringing') run.reject(now, 'TELECOM_UNANSWERED');
      else run.hangUp(now);
    });
  }

  /**
   * One action of a browser call's callee, in turn with the call's steps: the run is first brought
   * up to now (a wake that is due counts first: a call that has just rung out cannot be answered),
   * then the action, then the run takes it in. 409 when the call is in no state for it.
   */
  private act(contactId: string, states: CallState[], wanted: string, action: (run: ContactRun, now: number, call: SimulatedCall) => void): Promise<SimulatedCall> {
    const call = this.browserCall(contactId);
    return this.serially(call, async () => {
      const run = call.run;
      if (run) {
        await this.advance(call, this.timers.now());
        this.changed(call);
      }
      const state = this.state(call);
      if (!run || !states.includes(state)) {
        const reason = this.status(call).reason;
        throw new SoftphoneError(409, `the call is not ${wanted}: ${state === 'ended' ? `it has ended${reason ? ` (${reason})` : ''}` : `it is ${state}`}`);
      }
      const now = this.timers.now();
      action(run, now, call);
      await this.advance(call, now);
      this.changed(call);
      return call;
    });
  }

  /** A call's state: ringing, connected or ended. */
  state(call: SimulatedCall): CallState {
    const status = this.status(call);
    return status.endedAt !== undefined ? 'ended' : status.connected ? 'connected' : 'ringing';
  }

  /** A call as the console shows it (all but the responder's name). */
  view(call: SimulatedCall): CallView {
    const status = this.status(call);
    const iso = (ms: number) => new Date(ms).toISOString();
    const attempt = Number(call.attributes.attempt);
    const view: CallView = {
      contactId: call.contactId,
      incidentId: call.attributes.incidentId,
      attempt: Number.isInteger(attempt) && attempt > 0 ? attempt : undefined,
      inBrowser: call.inBrowser === true,
      language: call.attributes.language,
      destination: maskPhone(call.destination),
      state: this.state(call),
      startedAt: iso(call.placedAt),
      keys: [...status.keys].join(' '),
      transcript: status.transcript.map((s) => ({ at: iso(s.atMs), endAt: iso(s.endMs), text: s.text, language: s.language, voice: s.voice, interrupted: s.interrupted })),
    };
    if (status.connectedAt !== undefined) view.connectedAt = iso(status.connectedAt);
    if (status.endedAt !== undefined) view.endedAt = iso(status.endedAt);
    if (status.reason !== undefined) view.disconnectReason = status.reason;
    return view;
  }

  async stopCall(contactId: string): Promise<void> {
    const call = this.calls.find((c) => c.contactId === contactId);
    if (!call) return;
    const now = this.timers.now();
    if (call.stuck && call.stuck.endedAt === undefined) {
      call.stuck.endedAt = now;
      call.stuck.reason = 'API';
      this.record(call);
      await this.contactEvent(call, 'DISCONNECTED', now);
      this.changed(call);
    } else if (call.run && call.run.result.state !== 'ended') {
      call.run.stop(now, 'API');
      this.record(call);
      await this.contactEvent(call, 'DISCONNECTED', now);
      this.changed(call);
    }
  }

  /** Connect loses track of a contact (its record is gone): it stops, and DescribeContact no longer knows it. */
  forget(contactId: string): void {
    this.forgotten.add(contactId);
    const call = this.calls.find((c) => c.contactId === contactId);
    if (call?.stuck) call.stuck.endedAt ??= this.timers.now();
    call?.run?.stop(this.timers.now(), 'OTHER');
    if (call) {
      this.record(call);
      this.changed(call);
    }
  }

  /** Does Connect still know this contact (not forgotten)? */
  knows(contactId: string): boolean {
    return !this.forgotten.has(contactId) && this.calls.some((c) => c.contactId === contactId);
  }

  async describeCall(contactId: string): Promise<ContactState> {
    if (this.forgotten.has(contactId)) return { state: 'unknown' };
    const call = this.calls.find((c) => c.contactId === contactId);
    if (!call) return { state: 'unknown' };
    const { connected, endedAt, reason } = this.status(call);
    if (endedAt === undefined) return { state: 'active', connected };
    return reason ? { state: 'ended', connected, endedAt, disconnectReason: reason } : { state: 'ended', connected, endedAt };
  }

  /** What happened on a call so far, for the local API, DescribeContact and tests. */
  status(call: SimulatedCall): CallStatus {
    if (call.ended) {
      const { connectedAt, endedAt, reason, transcript, keys = '' } = call.ended;
      return { connected: connectedAt !== undefined, ...(connectedAt !== undefined ? { connectedAt } : {}), endedAt, reason, transcript, keys };
    }
    if (call.stuck) {
      // Answered once its moment has come, unless it was stopped before.
      const connected = (call.stuck.endedAt ?? this.timers.now()) >= call.stuck.connectedAt;
      return {
        connected,
        ...(connected ? { connectedAt: call.stuck.connectedAt } : {}),
        transcript: [],
        keys: '',
        ...(call.stuck.endedAt !== undefined ? { endedAt: call.stuck.endedAt, reason: call.stuck.reason ?? 'API' } : {}),
      };
    }
    const result = call.run?.result;
    if (!result) return { connected: false, transcript: [], keys: '' };
    const status: CallStatus = { connected: result.connectedAtMs !== undefined, transcript: result.transcript, result, keys: call.run?.keysSent(this.timers.now()) ?? '' };
    if (result.connectedAtMs !== undefined) status.connectedAt = result.connectedAtMs;
    if (result.endedAtMs !== undefined) status.endedAt = result.endedAtMs;
    if (result.disconnectReason !== undefined) status.reason = result.disconnectReason;
    return status;
  }

  /** Runs `work` after every step of the call already under way: a run takes one step at a time. */
  private serially<T>(call: SimulatedCall, work: () => Promise<T>): Promise<T> {
    const driver = this.drivers.get(call.contactId);
    if (!driver) return work();
    const done = driver.chain.then(work);
    driver.chain = done.catch(() => undefined);
    return done;
  }

  /** A wake of the call's run: the moment it asked for, unless a later wake replaced it (`token`). */
  private drive(call: SimulatedCall, at: number, token: number): Promise<void> {
    return this.serially(call, async () => {
      const driver = this.drivers.get(call.contactId);
      if (driver?.token !== token) return; // stale: the run woke earlier and asked for another moment
      driver.at = undefined; // this wake is spent: the moment asked for next needs a timer, even the same moment
      await this.advance(call, at);
      this.changed(call);
    });
  }

  /** Steps the run up to `at`, then journals, sends Connect's contact events and sets the next wake. */
  private async advance(call: SimulatedCall, at: number): Promise<void> {
    const run = call.run;
    const driver = this.drivers.get(call.contactId);
    if (!run || !driver || run.result.state === 'ended') return;
    const wasConnected = run.result.connectedAtMs !== undefined;
    const next = await run.step(at);
    this.record(call);
    if (!wasConnected && run.result.connectedAtMs !== undefined) await this.contactEvent(call, 'CONNECTED_TO_SYSTEM', run.result.connectedAtMs);
    if (run.result.endedAtMs !== undefined) {
      driver.at = undefined;
      driver.token++;
      await this.contactEvent(call, 'DISCONNECTED', run.result.endedAtMs);
      return;
    }
    if (next === undefined || next === driver.at) return; // already asked for (its timer is set)
    const token = ++driver.token;
    driver.at = next;
    this.timers.at(next, () => this.drive(call, next, token));
  }

  /** Tells listeners about the call if anything they can see changed since they last heard. */
  private changed(call: SimulatedCall): void {
    if (this.callListeners.size === 0) return;
    const status = this.status(call);
    const last = status.transcript.at(-1);
    const seen = [this.state(call), status.connectedAt, status.endedAt, status.reason, status.keys, status.transcript.length, last?.endMs, last?.interrupted].join('|');
    if (this.heard.get(call.contactId) === seen) return;
    this.heard.set(call.contactId, seen);
    for (const listener of this.callListeners) this.tell(() => listener(call));
  }

  /** A listener's failure is not the simulator's: it is dropped on the floor. */
  private tell(fire: () => void): void {
    try {
      fire();
    } catch {
      // A listener (the console's stream) must never stop a call.
    }
  }

  /** Journals what a live call did since it was last journalled: connected, new speech, its end. */
  private record(call: SimulatedCall): void {
    const done = this.journalled.get(call.contactId);
    if (!done || done.ended) return;
    const status = this.status(call);
    if (status.endedAt !== undefined && status.reason !== undefined) {
      const end: CallEnd = { endedAt: status.endedAt, reason: status.reason, transcript: status.transcript };
      if (status.connectedAt !== undefined && status.connectedAt <= status.endedAt) end.connectedAt = status.connectedAt;
      if (status.keys) end.keys = status.keys;
      this.journal.append({ kind: 'ended', contactId: call.contactId, ...end });
      done.ended = true;
      return;
    }
    if (!done.connected && status.connected && status.connectedAt !== undefined) {
      this.journal.append({ kind: 'connected', contactId: call.contactId, at: status.connectedAt });
      done.connected = true;
    }
    for (; done.said < status.transcript.length; done.said++) this.journal.append({ kind: 'said', contactId: call.contactId, speech: status.transcript[done.said] as Speech });
  }

  /**
   * Reads the journal: phones, and calls as they were. A call with no end on disk was up when the
   * process died; it ends now, as Connect would report it (CUT_CALL_REASON), what was said so far
   * kept. Then the journal is compacted, so the cut is final and later restarts agree.
   */
  private restore(persistence: SimulatorPersistence): void {
    const now = this.timers.now();
    const records = this.journal.read();
    if (persistence.legacyTokenFile) records.push(...legacyTokens(persistence.legacyTokenFile, now, persistence.log));
    const progress = new Map<string, { connectedAt?: number; said: Speech[]; pressed: string; ended?: CallEnd }>();
    for (const record of records) {
      switch (record.kind) {
        case 'phone':
          this.phones.set(record.phone, record.behaviour);
          break;
        case 'softphone':
          this.inBrowser = record.answerInBrowser;
          break;
        case 'call': {
          if (progress.has(record.contactId)) break; // a duplicate line: the first is the call
          const { kind: _kind, ...fields } = record;
          const call: SimulatedCall = { ...fields, run: undefined };
          this.calls.push(call);
          this.byToken.set(call.clientToken, call);
          progress.set(call.contactId, { said: [], pressed: '' });
          break;
        }
        case 'connected': {
          const p = progress.get(record.contactId);
          if (p) p.connectedAt ??= record.at;
          break;
        }
        case 'said':
          progress.get(record.contactId)?.said.push(record.speech);
          break;
        case 'pressed': {
          const p = progress.get(record.contactId);
          if (p) p.pressed += record.keys;
          break;
        }
        case 'ended': {
          const p = progress.get(record.contactId);
          if (p && !p.ended) {
            const { kind: _kind, contactId: _id, ...end } = record;
            p.ended = end;
          }
          break;
        }
        case 'token':
          if (!this.byToken.has(record.clientToken)) this.legacy.set(record.clientToken, { contactId: record.contactId, at: record.at });
          break;
      }
    }
    let cut = 0;
    for (const call of this.calls) {
      const p = progress.get(call.contactId) as { connectedAt?: number; said: Speech[]; pressed: string; ended?: CallEnd };
      if (p.ended) {
        call.ended = p.ended;
        continue;
      }
      const endedAt = Math.max(now, call.placedAt);
      const transcript = p.said.map((s) => (s.endMs > endedAt ? { ...s, endMs: endedAt, interrupted: true } : s));
      call.ended = { endedAt, reason: CUT_CALL_REASON, transcript };
      if (p.connectedAt !== undefined) call.ended.connectedAt = p.connectedAt;
      if (p.pressed) call.ended.keys = p.pressed;
      cut++;
    }
    if (cut > 0) persistence.log?.warn('calls that were up when yobidashi stopped are ended, as Connect reports a dropped contact', { calls: cut, disconnectReason: CUT_CALL_REASON });
    this.compact();
  }

  private compact(): void {
    const now = this.timers.now();
    const records: ConnectRecord[] = [...this.phones].map(([phone, behaviour]) => ({ kind: 'phone', phone, behaviour }));
    if (this.inBrowser) records.push({ kind: 'softphone', answerInBrowser: true });
    for (const call of this.calls) {
      const { contactId, clientToken, destination, attributes, placedAt, behaviour } = call;
      records.push({ kind: 'call', contactId, clientToken, destination, attributes, placedAt, behaviour, ...(call.inBrowser ? { inBrowser: true } : {}) });
      if (call.ended) records.push({ kind: 'ended', contactId: call.contactId, ...call.ended });
    }
    for (const [clientToken, { contactId, at }] of this.legacy) if (now - at < CLIENT_TOKEN_TTL_MS) records.push({ kind: 'token', clientToken, contactId, at });
    this.journal.rewrite(records);
  }

  private async contactEvent(call: SimulatedCall, eventType: string, atMs: number): Promise<void> {
    if (this.dropContactEvents) return;
    const { connectedAt, endedAt } = this.status(call);
    const detail: Record<string, unknown> = {
      eventType,
      contactId: call.contactId,
      initialContactId: call.contactId,
      channel: 'VOICE',
      instanceArn: this.instanceArn,
      initiationMethod: 'API',
      initiationTimestamp: new Date(call.placedAt).toISOString(),
      tags: call.run?.result.tags ?? {},
    };
    if (connectedAt !== undefined && connectedAt <= atMs) detail.connectedToSystemTimestamp = new Date(connectedAt).toISOString();
    if (eventType === 'DISCONNECTED') detail.disconnectTimestamp = new Date(endedAt ?? atMs).toISOString();
    await this.bus.publish([{ source: 'aws.connect', detailType: CONTACT_EVENT_DETAIL_TYPE, detail }]);
  }
}
