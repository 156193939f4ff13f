import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { CALL_FLOW, ContactRun, type Callee, type ContactResult, type LambdaInvoker } from '../../../../contact-flow/index.ts';
import type { RawFlow } from '../../../../contact-flow/flow-language.ts';
import { CONTACT_EVENT_DETAIL_TYPE } from '../../../../events/connect.ts';
import { CallRejectedError, type Bus, type ContactState, type StartCallRequest, type Telephony } from '../../../../handlers/ports.ts';
import type { Timers } from '../../clock/timers.ts';

/**
 * A simulated Amazon Connect instance: StartOutboundVoiceContact rings a simulated phone and runs
 * our generated contact flow through the interpreter, invoking the flow-result handler as Connect
 * would invoke the Lambda, and publishes Connect's contact events (INITIATED, CONNECTED_TO_SYSTEM,
 * DISCONNECTED) on the bus. As with real Connect, DISCONNECTED carries no reason: DescribeContact
 * has it.
 */

/** How a phone behaves when called (the local API's `PUT /api/phones/{e164}` body). */
export type PhoneBehaviour =
  | { answer: true; afterSeconds?: number; digits?: string; pressAfterSeconds?: number; hangUpAfterSeconds?: number; stuck?: boolean }
  | { answer: false }
  | { busy: true }
  | { invalid: true }
  /** Connect refuses to dial at all (DestinationNotAllowedException). */
  | { refused: true };


export interface SimulatedCall {
  contactId: string;
  destination: string;
  attributes: Record<string, string>;
  placedAt: number;
  behaviour: PhoneBehaviour;
  run: ContactRun | undefined;
  /** A call that answers and then never progresses: only StopContact ends it. */
  stuck?: { connectedAt: number; endedAt?: number; reason?: string };
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

export class ConnectSimulator implements Telephony {
  readonly calls: SimulatedCall[] = [];
  private readonly phones = new Map<string, PhoneBehaviour>();
  private readonly byToken = new Map<string, SimulatedCall>();
  private readonly forgotten = new Set<string>();
  /** Drop Connect's contact events, to prove the safety-net check reconciles without them. */
  dropContactEvents = false;
  invokeLambda: LambdaInvoker = async () => {
    throw new Error('no flow-result function is wired to the Connect simulator');
  };

  /** ClientTokens of earlier runs (persisted): a retried start must not ring the phone again. */
  private readonly earlierTokens = new Map<string, string>();

  constructor(
    private readonly timers: Timers,
    private readonly bus: Bus,
    private readonly flow: RawFlow = CALL_FLOW,
    private readonly instanceArn = 'arn:aws:connect:us-east-1:000000000000:instance/local',
    private readonly tokenFile?: string,
  ) {
    if (tokenFile && existsSync(tokenFile)) {
      for (const line of readFileSync(tokenFile, 'utf8').split('\n')) {
        const [token, contactId] = line.split('\t');
        if (token && contactId) this.earlierTokens.set(token, contactId);
      }
    }
  }

  setPhone(phone: string, behaviour: PhoneBehaviour): void {
    this.phones.set(phone, behaviour);
  }

  phoneList(): Record<string, PhoneBehaviour> {
    return Object.fromEntries(this.phones);
  }

  phone(phone: string): PhoneBehaviour {
    return this.phones.get(phone) ?? { answer: false };
  }

  /** The contact a ClientToken already started, if any (Connect keeps tokens for 7 days). */
  contactFor(clientToken: string): string | undefined {
    return this.byToken.get(clientToken)?.contactId ?? this.earlierTokens.get(clientToken);
  }

  async startCall(request: StartCallRequest): Promise<{ contactId: string }> {
    const existing = this.byToken.get(request.clientToken);
    if (existing) return { contactId: existing.contactId };
    // Started before a restart: Connect keeps ClientTokens for 7 days, and so do we.
    const earlier = this.earlierTokens.get(request.clientToken);
    if (earlier) return { contactId: earlier };
    const behaviour = this.phone(request.destination);
    if ('refused' in behaviour) throw new CallRejectedError('Outbound calls to this destination are not allowed', 'DestinationNotAllowedException');
    const now = this.timers.now();
    const contactId = randomUUID();
    const call: SimulatedCall = { contactId, destination: request.destination, attributes: request.attributes, placedAt: now, behaviour, run: undefined };
    if ('answer' in behaviour && behaviour.answer && behaviour.stuck) {
      const connectedAt = now + (behaviour.afterSeconds ?? 5) * 1000;
      call.stuck = { connectedAt };
      this.timers.at(connectedAt, () => this.contactEvent(call, 'CONNECTED_TO_SYSTEM', connectedAt));
    } else {
      call.run = new ContactRun(this.flow, { contactId, attributes: request.attributes, callee: calleeFor(behaviour), invokeLambda: (arn, event) => this.invokeLambda(arn, event), startMs: now });
      this.timers.at(now, () => this.drive(call));
    }
    this.calls.push(call);
    this.byToken.set(request.clientToken, call);
    if (this.tokenFile) appendFileSync(this.tokenFile, `${request.clientToken}\t${contactId}\n`);
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
      await this.contactEvent(call, 'DISCONNECTED', now);
    } else if (call.run && call.run.result.state !== 'ended') {
      call.run.stop(now, 'API');
      await this.contactEvent(call, 'DISCONNECTED', now);
    }
  }

  /** Connect loses track of a contact (as after the local simulator restarts): it stops, unknown. */
  forget(contactId: string): void {
    this.forgotten.add(contactId);
    const call = this.calls.find((c) => c.contactId === contactId);
    if (call?.stuck) call.stuck.endedAt ??= this.timers.now();
    call?.run?.stop(this.timers.now(), 'OTHER');
  }

  /** Does Connect still know this contact (not forgotten, as after a restart)? */
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

  /** What happened on a call so far, for the local API and tests. */
  status(call: SimulatedCall): { connected: boolean; connectedAt?: number; endedAt?: number; reason?: string; result?: ContactResult } {
    if (call.stuck) {
      const connected = this.timers.now() >= call.stuck.connectedAt;
      return { connected, connectedAt: call.stuck.connectedAt, ...(call.stuck.endedAt !== undefined ? { endedAt: call.stuck.endedAt, reason: call.stuck.reason ?? 'API' } : {}) };
    }
    const result = call.run?.result;
    if (!result) return { connected: false };
    const status: ReturnType<ConnectSimulator['status']> = { connected: result.connectedAtMs !== undefined, result };
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
    if (!wasConnected && run.result.connectedAtMs !== undefined) await this.contactEvent(call, 'CONNECTED_TO_SYSTEM', run.result.connectedAtMs);
    if (run.result.endedAtMs !== undefined) {
      await this.contactEvent(call, 'DISCONNECTED', run.result.endedAtMs);
      return;
    }
    if (next !== undefined) this.timers.at(next, () => this.drive(call));
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
