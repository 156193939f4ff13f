import { CallRejectedError } from '../../handlers/ports.ts';
import type { ConnectSimulator } from './connect-simulator.ts';

/**
 * Amazon Connect's outbound-call REST operations over the simulator, with Connect's default
 * limits so pacing and retries are exercised for real: StartOutboundVoiceContact at 2 requests a
 * second (burst 5) and 10 concurrent calls per instance. Limits are counted in real time: they are
 * API quotas, not part of the scenario's clock.
 */
export class ConnectError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export const CONNECT_LIMITS = { startsPerSecond: 2, burst: 5, concurrentCalls: 10 } as const;

export class ConnectService {
  private tokens: number = CONNECT_LIMITS.burst;
  private refilledAt: number;

  constructor(
    readonly simulator: ConnectSimulator,
    private readonly realNow: () => number = () => Date.now(),
  ) {
    this.refilledAt = realNow();
  }

  private takeToken(): boolean {
    const now = this.realNow();
    this.tokens = Math.min(CONNECT_LIMITS.burst, this.tokens + ((now - this.refilledAt) / 1000) * CONNECT_LIMITS.startsPerSecond);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  activeCalls(): number {
    return this.simulator.calls.filter((call) => this.simulator.status(call).endedAt === undefined).length;
  }

  async startOutboundVoiceContact(body: {
    InstanceId?: string;
    ContactFlowId?: string;
    DestinationPhoneNumber?: string;
    ClientToken?: string;
    Attributes?: Record<string, string>;
  }): Promise<{ ContactId: string }> {
    if (!body.InstanceId || !body.ContactFlowId) throw new ConnectError('InvalidParameterException', 'InstanceId and ContactFlowId are required.', 400);
    if (!/^\+[1-9]\d{1,14}$/.test(body.DestinationPhoneNumber ?? '')) throw new ConnectError('InvalidParameterException', 'DestinationPhoneNumber is not a valid E.164 number.', 400);
    if (!this.takeToken()) throw new ConnectError('ThrottlingException', 'Rate exceeded', 429);
    if (this.activeCalls() >= CONNECT_LIMITS.concurrentCalls) throw new ConnectError('LimitExceededException', 'The allowed limit for concurrent calls on this instance has been reached.', 429);
    try {
      const { contactId } = await this.simulator.startCall({
        clientToken: body.ClientToken ?? crypto.randomUUID(),
        destination: body.DestinationPhoneNumber as string,
        attributes: body.Attributes ?? {},
      });
      return { ContactId: contactId };
    } catch (error) {
      if (error instanceof CallRejectedError) throw new ConnectError(error.reason, error.message, 403);
      throw error;
    }
  }

  async stopContact(body: { ContactId?: string }): Promise<Record<string, never>> {
    const call = this.simulator.calls.find((c) => c.contactId === body.ContactId);
    if (!call) throw new ConnectError('ContactNotFoundException', `Contact ${body.ContactId} not found.`, 404);
    await this.simulator.stopCall(call.contactId);
    return {};
  }

  async describeContact(contactId: string): Promise<{ Contact: Record<string, unknown> }> {
    const call = this.simulator.calls.find((c) => c.contactId === contactId);
    if (!call) throw new ConnectError('ResourceNotFoundException', `Contact ${contactId} not found.`, 404);
    const status = this.simulator.status(call);
    const contact: Record<string, unknown> = {
      Id: call.contactId,
      InitialContactId: call.contactId,
      Channel: 'VOICE',
      InitiationMethod: 'API',
      InitiationTimestamp: call.placedAt / 1000,
    };
    if (status.connectedAt !== undefined) contact.ConnectedToSystemTimestamp = status.connectedAt / 1000;
    if (status.endedAt !== undefined) contact.DisconnectTimestamp = status.endedAt / 1000;
    if (status.reason !== undefined) contact.DisconnectReason = status.reason;
    return { Contact: contact };
  }
}
