import { CallRejectedError, type Clock } from '../../handlers/ports.ts';
import type { ConnectSimulator } from './connect-simulator.ts';
import type { FaultBook } from './faults.ts';

/**
 * Amazon Connect's outbound-call REST operations over the simulator, with Connect's default
 * limits so pacing and retries are exercised for real: StartOutboundVoiceContact at 2 requests a
 * second (burst 5) and 10 concurrent calls per instance. Limits are counted on the runtime's clock,
 * like the calls themselves: at `--time-scale 60` the simulated world, Connect included, runs 60
 * times faster, so a storm meets the same quota per simulated second as it would on AWS. Injected
 * faults answer before anything else, as a failing Connect would.
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

  /** The most calls up at once, and the most starts accepted within any one second: quotas are never exceeded. */
  readonly peaks = { concurrentCalls: 0, startsInOneSecond: 0 };
  private readonly recentStarts: number[] = [];

  constructor(
    readonly simulator: ConnectSimulator,
    private readonly clock: Clock,
    private readonly faults?: FaultBook,
  ) {
    this.refilledAt = clock.now();
  }

  private fault(operation: string): void {
    const fault = this.faults?.take(`connect:${operation}`, 'rest');
    if (fault) throw new ConnectError(fault.code, fault.message, fault.status);
  }

  private takeToken(): boolean {
    const now = this.clock.now();
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
    this.fault('StartOutboundVoiceContact');
    if (!this.takeToken()) throw new ConnectError('ThrottlingException', 'Rate exceeded', 429);
    // A retried start (same ClientToken) returns the contact it already made, at any concurrency.
    const known = body.ClientToken ? this.simulator.contactFor(body.ClientToken) : undefined;
    if (known) return { ContactId: known };
    const active = this.activeCalls();
    if (active >= CONNECT_LIMITS.concurrentCalls) throw new ConnectError('LimitExceededException', 'The allowed limit for concurrent calls on this instance has been reached.', 429);
    try {
      const now = this.clock.now();
      this.recentStarts.push(now);
      while ((this.recentStarts[0] ?? now) <= now - 1000) this.recentStarts.shift();
      this.peaks.startsInOneSecond = Math.max(this.peaks.startsInOneSecond, this.recentStarts.length);
      this.peaks.concurrentCalls = Math.max(this.peaks.concurrentCalls, active + 1);
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
    this.fault('StopContact');
    const call = this.simulator.calls.find((c) => c.contactId === body.ContactId);
    if (!call) throw new ConnectError('ContactNotFoundException', `Contact ${body.ContactId} not found.`, 404);
    await this.simulator.stopCall(call.contactId);
    return {};
  }

  async describeContact(contactId: string): Promise<{ Contact: Record<string, unknown> }> {
    this.fault('DescribeContact');
    const call = this.simulator.knows(contactId) ? this.simulator.calls.find((c) => c.contactId === contactId) : undefined;
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
