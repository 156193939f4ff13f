import { CONTACT_EVENT_DETAIL_TYPE, type FlowResultResponse } from '../../events/connect.ts';
import type { VirtualTime } from '../../infra/local/virtual-time.ts';
import { CallRejectedError, type Bus, type ContactState, type StartCallRequest, type Telephony } from '../../handlers/ports.ts';

/**
 * Fake telephony at the true external boundary (the phone network), in the spirit of GoAlert's
 * smoke-test devices. Each number has a script; a call to it plays out on virtual time, publishes
 * the contact events Connect would, and reports keypad input through the real flow-result handler
 * with the parameters our contact flow sends.
 */
export type PhoneScript =
  | { kind: 'ring-out' }
  | { kind: 'busy' }
  | { kind: 'invalid' }
  | { kind: 'refused' }
  | { kind: 'answer'; afterSeconds?: number; digits: string; hangUpSilently?: boolean }
  | { kind: 'never-ends' };

export interface PlacedCall {
  contactId: string;
  destination: string;
  attributes: Record<string, string>;
  placedAt: number;
  endedAt?: number;
  disconnectReason?: string;
  connected: boolean;
  heard: string[];
  flowResult?: FlowResultResponse;
}

export const RING_TIMEOUT_MS = 60_000;
const MESSAGE_MS = 12_000;

export class FakePhones implements Telephony {
  readonly calls: PlacedCall[] = [];
  private readonly scripts = new Map<string, PhoneScript>();
  private readonly byToken = new Map<string, PlacedCall>();
  private seq = 0;
  /** Drop Connect's contact events, to prove the safety-net check reconciles without them. */
  dropContactEvents = false;
  flowResult: (event: unknown) => Promise<FlowResultResponse> = async () => {
    throw new Error('flow-result handler not wired');
  };

  constructor(
    private readonly time: VirtualTime,
    private readonly bus: Bus,
  ) {}

  script(phone: string, script: PhoneScript): void {
    this.scripts.set(phone, script);
  }

  async startCall(request: StartCallRequest): Promise<{ contactId: string }> {
    const existing = this.byToken.get(request.clientToken);
    if (existing) return { contactId: existing.contactId };
    const script = this.scripts.get(request.destination) ?? { kind: 'ring-out' };
    if (script.kind === 'refused') throw new CallRejectedError('destination not allowed', 'DestinationNotAllowedException');
    const call: PlacedCall = {
      contactId: `contact-${String(++this.seq).padStart(4, '0')}`,
      destination: request.destination,
      attributes: request.attributes,
      placedAt: this.time.now(),
      connected: false,
      heard: [],
    };
    this.calls.push(call);
    this.byToken.set(request.clientToken, call);
    this.play(call, script);
    return { contactId: call.contactId };
  }

  async stopCall(contactId: string): Promise<void> {
    const call = this.calls.find((c) => c.contactId === contactId);
    if (call) await this.disconnect(call, 'API');
  }

  async describeCall(contactId: string): Promise<ContactState> {
    const call = this.calls.find((c) => c.contactId === contactId);
    if (!call) return { state: 'unknown' };
    if (call.endedAt === undefined) return { state: 'active', connected: call.connected };
    const ended: ContactState = { state: 'ended', connected: call.connected, endedAt: call.endedAt };
    return call.disconnectReason ? { ...ended, disconnectReason: call.disconnectReason } : ended;
  }

  private play(call: PlacedCall, script: PhoneScript): void {
    const at = (ms: number, fire: () => Promise<void>) => this.time.at(call.placedAt + ms, fire);
    switch (script.kind) {
      case 'ring-out':
        return at(RING_TIMEOUT_MS, () => this.disconnect(call, 'TELECOM_UNANSWERED'));
      case 'busy':
        return at(3_000, () => this.disconnect(call, 'TELECOM_BUSY'));
      case 'invalid':
        return at(1_000, () => this.disconnect(call, 'TELECOM_NUMBER_INVALID'));
      case 'never-ends':
        return at(5_000, () => this.connect(call));
      case 'answer': {
        const answeredMs = (script.afterSeconds ?? 5) * 1000;
        at(answeredMs, () => this.connect(call));
        if (script.digits === '') {
          // The flow asks three times, hears nothing, and hangs up without a result.
          return at(answeredMs + MESSAGE_MS * 3, () => this.disconnect(call, 'CONTACT_FLOW_DISCONNECT'));
        }
        if (script.hangUpSilently) return at(answeredMs + 2_000, () => this.disconnect(call, 'CUSTOMER_DISCONNECT'));
        return at(answeredMs + MESSAGE_MS, async () => {
          if (call.endedAt !== undefined) return;
          const [choice = '', ...rest] = script.digits;
          const hours = choice === '9' ? rest.join('').replace(/#$/, '') : '';
          call.flowResult = await this.flowResult({
            Name: 'ContactFlowEvent',
            Details: {
              ContactData: { ContactId: call.contactId, Attributes: call.attributes },
              Parameters: { choice, hours, incidentId: call.attributes.incidentId ?? '', attempt: call.attributes.attempt ?? '' },
            },
          });
          await this.disconnect(call, 'CONTACT_FLOW_DISCONNECT');
        });
      }
    }
  }

  private async connect(call: PlacedCall): Promise<void> {
    if (call.endedAt !== undefined) return;
    call.connected = true;
    if (call.attributes.message) call.heard.push(call.attributes.message);
    await this.contactEvent(call, 'CONNECTED_TO_SYSTEM');
  }

  private async disconnect(call: PlacedCall, reason: string): Promise<void> {
    if (call.endedAt !== undefined) return;
    call.endedAt = this.time.now();
    call.disconnectReason = reason;
    await this.contactEvent(call, 'DISCONNECTED');
  }

  private async contactEvent(call: PlacedCall, eventType: string): Promise<void> {
    if (this.dropContactEvents) return;
    const detail: Record<string, unknown> = {
      eventType,
      contactId: call.contactId,
      channel: 'VOICE',
      initiationMethod: 'API',
      initiationTimestamp: new Date(call.placedAt).toISOString(),
    };
    if (eventType === 'DISCONNECTED') {
      detail.disconnectTimestamp = new Date(call.endedAt ?? this.time.now()).toISOString();
      detail.disconnectReason = call.disconnectReason;
    }
    await this.bus.publish([{ source: 'aws.connect', detailType: CONTACT_EVENT_DETAIL_TYPE, detail }]);
  }
}
