import { CALL_FLOW } from '../../../../contact-flow/index.ts';
import { CallRejectedError, type Clock } from '../../../../handlers/ports.ts';
import type { ConnectSimulator } from './connect-simulator.ts';
import type { FaultBook } from '../faults/fault-book.ts';
import { ConnectError } from './connect-error.ts';
import { validateStartOutboundVoiceContact, validateStopContact } from './connect-validation.ts';

export { ConnectError };

/** The local instance, as the describe operations (the CLI's `doctor`) see it. */
export interface ConnectIdentity {
  instanceId: string;
  instanceArn: string;
  contactFlowId: string;
  contactFlowArn: string;
  phoneNumber: string;
  createdAt: number;
}

export const CONNECT_LIMITS = { startsPerSecond: 2, burst: 5, concurrentCalls: 10 } as const;

/**
 * Amazon Connect's outbound-call REST operations over the simulator, with Connect's default
 * limits so pacing and retries are exercised for real: StartOutboundVoiceContact at 2 requests a
 * second (burst 5) and 10 concurrent calls per instance. Limits are counted on the runtime's clock,
 * like the calls themselves: at `--time-scale 60` the simulated world, Connect included, runs 60
 * times faster, so a storm meets the same quota per simulated second as it would on AWS. Input
 * is checked first, as Connect's front door does (connect-validation.ts); injected faults answer
 * before anything else, as a failing Connect would.
 */
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
    /** The local instance and its flow: a start naming another is ResourceNotFoundException. */
    private readonly identity?: () => ConnectIdentity,
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

  /**
   * StartOutboundVoiceContact: the input checked as Connect checks it (connect-validation.ts: a bad
   * one is a 400 and nothing is counted, stored or dialled), then faults, the rate quota, the
   * instance and flow (ResourceNotFoundException), the ClientToken, the concurrency quota.
   */
  async startOutboundVoiceContact(body: Record<string, unknown>): Promise<{ ContactId: string }> {
    const input = validateStartOutboundVoiceContact(body);
    this.fault('StartOutboundVoiceContact');
    if (!this.takeToken()) throw new ConnectError('ThrottlingException', 'Rate exceeded', 429);
    const identity = this.identity?.();
    if (identity) {
      this.instance(input.InstanceId, identity);
      if (input.ContactFlowId !== identity.contactFlowId && input.ContactFlowId !== identity.contactFlowArn) throw new ConnectError('ResourceNotFoundException', `Contact flow ${input.ContactFlowId} not found.`, 404);
    }
    // A retried start (same ClientToken) returns the contact it already made, at any concurrency.
    // An empty token is no token (the model allows it; it must not tie unrelated starts together).
    const clientToken = input.ClientToken || undefined;
    const known = clientToken ? this.simulator.contactFor(clientToken) : undefined;
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
        clientToken: clientToken ?? crypto.randomUUID(),
        destination: input.DestinationPhoneNumber,
        attributes: input.Attributes ?? {},
      });
      return { ContactId: contactId };
    } catch (error) {
      if (error instanceof CallRejectedError) throw new ConnectError(error.reason, error.message, 403);
      throw error;
    }
  }

  async stopContact(body: Record<string, unknown>): Promise<Record<string, never>> {
    validateStopContact(body);
    this.fault('StopContact');
    const call = this.simulator.calls.find((c) => c.contactId === body.ContactId);
    if (!call) throw new ConnectError('ContactNotFoundException', `Contact ${body.ContactId} not found.`, 404);
    await this.simulator.stopCall(call.contactId);
    return {};
  }

  private instance(id: string | undefined, identity: ConnectIdentity): void {
    if (id !== identity.instanceId && id !== identity.instanceArn) throw new ConnectError('ResourceNotFoundException', `Instance ${id} not found.`, 404);
  }

  /** DescribeInstance: the local instance is active, with outbound calls enabled. */
  describeInstance(id: string, identity: ConnectIdentity): { Instance: Record<string, unknown> } {
    this.fault('DescribeInstance');
    this.instance(id, identity);
    return {
      Instance: {
        Id: identity.instanceId,
        Arn: identity.instanceArn,
        IdentityManagementType: 'CONNECT_MANAGED',
        InstanceAlias: 'yobidashi-local',
        CreatedTime: identity.createdAt / 1000,
        InstanceStatus: 'ACTIVE',
        InboundCallsEnabled: false,
        OutboundCallsEnabled: true,
      },
    };
  }

  describeInstanceAttribute(id: string, attributeType: string, identity: ConnectIdentity): { Attribute: { AttributeType: string; Value: string } } {
    this.fault('DescribeInstanceAttribute');
    this.instance(id, identity);
    const values: Record<string, string> = { OUTBOUND_CALLS: 'true', INBOUND_CALLS: 'false', CONTACTFLOW_LOGS: 'true' };
    return { Attribute: { AttributeType: attributeType, Value: values[attributeType] ?? 'false' } };
  }

  /** DescribeContactFlow: the flow the simulator runs, published. */
  describeContactFlow(instanceId: string, flowId: string, identity: ConnectIdentity): { ContactFlow: Record<string, unknown> } {
    this.fault('DescribeContactFlow');
    this.instance(instanceId, identity);
    if (flowId !== identity.contactFlowId && flowId !== identity.contactFlowArn) throw new ConnectError('ResourceNotFoundException', `Contact flow ${flowId} not found.`, 404);
    return {
      ContactFlow: {
        Arn: identity.contactFlowArn,
        Id: identity.contactFlowId,
        Name: identity.contactFlowId,
        Type: 'CONTACT_FLOW',
        State: 'ACTIVE',
        Status: 'PUBLISHED',
        Description: 'yobidashi: the alert call (contact-flow/generated/yobidashi-call.json)',
        Content: JSON.stringify(CALL_FLOW),
      },
    };
  }

  /** ListPhoneNumbersV2: the one number calls come from, claimed by the local instance. */
  listPhoneNumbers(body: { TargetArn?: string; InstanceId?: string; PhoneNumberPrefix?: string }, identity: ConnectIdentity): { ListPhoneNumbersSummaryList: Record<string, unknown>[] } {
    this.fault('ListPhoneNumbersV2');
    const target = body.TargetArn ?? body.InstanceId;
    const mine = target === undefined || target === identity.instanceArn || target === identity.instanceId;
    const matches = mine && identity.phoneNumber.startsWith(body.PhoneNumberPrefix ?? '');
    return {
      ListPhoneNumbersSummaryList: matches
        ? [{ PhoneNumberId: 'local-number', PhoneNumberArn: `${identity.instanceArn.replace(/:instance\/.*$/, ':phone-number/local-number')}`, PhoneNumber: identity.phoneNumber, PhoneNumberCountryCode: 'JP', PhoneNumberType: 'DID', TargetArn: identity.instanceArn, InstanceId: identity.instanceId }]
        : [],
    };
  }

  /** DescribeQueue: the local instance calls from a claimed number and has no queues. */
  describeQueue(instanceId: string, queueId: string, identity: ConnectIdentity): never {
    this.fault('DescribeQueue');
    this.instance(instanceId, identity);
    throw new ConnectError('ResourceNotFoundException', `Queue ${queueId} not found.`, 404);
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
