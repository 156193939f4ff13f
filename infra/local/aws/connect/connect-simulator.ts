import { randomUUID } from 'node:crypto';
import { CALL_FLOW, ContactRun, type Callee, type ContactResult, type LambdaInvoker, type Speech } from '../../../../contact-flow/index.ts';
import type { RawFlow } from '../../../../contact-flow/flow-language.ts';
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

export class ConnectSimulator implements Telephony {
  readonly calls: SimulatedCall[] = [];
  private readonly phones = new Map<string, PhoneBehaviour>();
  private readonly byToken = new Map<string, SimulatedCall>();
  private readonly forgotten = new Set<string>();
  private readonly journal: ConnectJournal;
  private readonly journalled = new Map<string, Journalled>();
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

  phoneList(): Record<string, PhoneBehaviour> {
    return Object.fromEntries(this.phones);
  }

  phone(phone: string): PhoneBehaviour {
    return this.phones.get(phone) ?? { answer: false };
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
    const behaviour = this.phone(request.destination);
    if ('refused' in behaviour) throw new CallRejectedError('Outbound calls to this destination are not allowed', 'DestinationNotAllowedException');
    const now = this.timers.now();
    const contactId = randomUUID();
    const call: SimulatedCall = { contactId, clientToken: request.clientToken, destination: request.destination, attributes: request.attributes, placedAt: now, behaviour, run: undefined };
    // On disk before the phone rings: a call the journal does not know never rang.
    this.journal.appendOrThrow({ kind: 'call', contactId, clientToken: call.clientToken, destination: call.destination, attributes: call.attributes, placedAt: now, behaviour });
    this.journalled.set(contactId, { connected: false, said: 0, ended: false });
    if ('answer' in behaviour && behaviour.answer && behaviour.stuck) {
      const connectedAt = now + (behaviour.afterSeconds ?? 5) * 1000;
      call.stuck = { connectedAt };
      this.timers.at(connectedAt, async () => {
        this.record(call);
        await this.contactEvent(call, 'CONNECTED_TO_SYSTEM', connectedAt);
      });
    } else {
      call.run = new ContactRun(this.flow, { contactId, attributes: request.attributes, callee: calleeFor(behaviour), invokeLambda: (arn, event) => this.invokeLambda(arn, event), startMs: now });
      this.timers.at(now, () => this.drive(call));
    }
    this.calls.push(call);
    this.byToken.set(request.clientToken, call);
    await this.contactEvent(call, 'INITIATED', now);
    return { contactId };
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
    } else if (call.run && call.run.result.state !== 'ended') {
      call.run.stop(now, 'API');
      this.record(call);
      await this.contactEvent(call, 'DISCONNECTED', now);
    }
  }

  /** Connect loses track of a contact (its record is gone): it stops, and DescribeContact no longer knows it. */
  forget(contactId: string): void {
    this.forgotten.add(contactId);
    const call = this.calls.find((c) => c.contactId === contactId);
    if (call?.stuck) call.stuck.endedAt ??= this.timers.now();
    call?.run?.stop(this.timers.now(), 'OTHER');
    if (call) this.record(call);
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
      const { connectedAt, endedAt, reason, transcript } = call.ended;
      return { connected: connectedAt !== undefined, ...(connectedAt !== undefined ? { connectedAt } : {}), endedAt, reason, transcript };
    }
    if (call.stuck) {
      // Answered once its moment has come, unless it was stopped before.
      const connected = (call.stuck.endedAt ?? this.timers.now()) >= call.stuck.connectedAt;
      return {
        connected,
        ...(connected ? { connectedAt: call.stuck.connectedAt } : {}),
        transcript: [],
        ...(call.stuck.endedAt !== undefined ? { endedAt: call.stuck.endedAt, reason: call.stuck.reason ?? 'API' } : {}),
      };
    }
    const result = call.run?.result;
    if (!result) return { connected: false, transcript: [] };
    const status: CallStatus = { connected: result.connectedAtMs !== undefined, transcript: result.transcript, result };
    if (result.connectedAtMs !== undefined) status.connectedAt = result.connectedAtMs;
    if (result.endedAtMs !== undefined) status.endedAt = result.endedAtMs;
    if (result.disconnectReason !== undefined) status.reason = result.disconnectReason;
    return status;
  }

  private async drive(call: SimulatedCall): Promise<void> {
    const run = call.run;
    if (!run || run.result.state === 'ended') return;
    const wasConnected = run.result.connectedAtMs !== undefined;
    const next = await run.step();
    this.record(call);
    if (!wasConnected && run.result.connectedAtMs !== undefined) await this.contactEvent(call, 'CONNECTED_TO_SYSTEM', run.result.connectedAtMs);
    if (run.result.endedAtMs !== undefined) {
      await this.contactEvent(call, 'DISCONNECTED', run.result.endedAtMs);
      return;
    }
    if (next !== undefined) this.timers.at(next, () => this.drive(call));
  }

  /** Journals what a live call did since it was last journalled: connected, new speech, its end. */
  private record(call: SimulatedCall): void {
    const done = this.journalled.get(call.contactId);
    if (!done || done.ended) return;
    const status = this.status(call);
    if (status.endedAt !== undefined && status.reason !== undefined) {
      const end: CallEnd = { endedAt: status.endedAt, reason: status.reason, transcript: status.transcript };
      if (status.connectedAt !== undefined && status.connectedAt <= status.endedAt) end.connectedAt = status.connectedAt;
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
    const progress = new Map<string, { connectedAt?: number; said: Speech[]; ended?: CallEnd }>();
    for (const record of records) {
      switch (record.kind) {
        case 'phone':
          this.phones.set(record.phone, record.behaviour);
          break;
        case 'call': {
          if (progress.has(record.contactId)) break; // a duplicate line: the first is the call
          const { kind: _kind, ...fields } = record;
          const call: SimulatedCall = { ...fields, run: undefined };
          this.calls.push(call);
          this.byToken.set(call.clientToken, call);
          progress.set(call.contactId, { said: [] });
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
      const p = progress.get(call.contactId) as { connectedAt?: number; said: Speech[]; ended?: CallEnd };
      if (p.ended) {
        call.ended = p.ended;
        continue;
      }
      const endedAt = Math.max(now, call.placedAt);
      const transcript = p.said.map((s) => (s.endMs > endedAt ? { ...s, endMs: endedAt, interrupted: true } : s));
      call.ended = { endedAt, reason: CUT_CALL_REASON, transcript };
      if (p.connectedAt !== undefined) call.ended.connectedAt = p.connectedAt;
      cut++;
    }
    if (cut > 0) persistence.log?.warn('calls that were up when yobidashi stopped are ended, as Connect reports a dropped contact', { calls: cut, disconnectReason: CUT_CALL_REASON });
    this.compact();
  }

  private compact(): void {
    const now = this.timers.now();
    const records: ConnectRecord[] = [...this.phones].map(([phone, behaviour]) => ({ kind: 'phone', phone, behaviour }));
    for (const call of this.calls) {
      records.push({ kind: 'call', contactId: call.contactId, clientToken: call.clientToken, destination: call.destination, attributes: call.attributes, placedAt: call.placedAt, behaviour: call.behaviour });
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
