import {
  ConnectClient,
  ContactNotFoundException,
  DescribeContactCommand,
  DestinationNotAllowedException,
  InvalidParameterException,
  InvalidRequestException,
  OutboundContactNotPermittedException,
  ResourceNotFoundException,
  StartOutboundVoiceContactCommand,
  StopContactCommand,
  type ConnectClientConfig,
} from '@aws-sdk/client-connect';
import { CallRejectedError, type ContactState, type StartCallRequest, type Telephony } from '../../../handlers/ports.ts';

export interface ConnectTarget {
  instanceId: string;
  contactFlowId: string;
  /** A claimed number to call from; or a queue whose outbound caller ID is used. */
  sourcePhoneNumber?: string;
  queueId?: string;
}

/**
 * Amazon Connect as the telephony port. Refusals that retrying cannot fix (destination not
 * allowed, malformed number, outbound not permitted) become CallRejectedError; throttling,
 * concurrency limits and service errors are thrown as they are, and the caller defers the call
 * (handlers/lib/placement.ts).
 *
 * Starts go out on a client with no SDK retries: the placement is paced durably by the check
 * (backoff with jitter over minutes), and retrying within the invocation would only pile more
 * requests onto an exhausted quota while holding one of place-call's few concurrent executions.
 * DescribeContact and StopContact keep the SDK's standard retries.
 */
export class ConnectTelephony implements Telephony {
  private readonly startClient: ConnectClient;

  constructor(
    private readonly target: ConnectTarget,
    private readonly client: ConnectClient = new ConnectClient({}),
    startClient?: ConnectClient,
  ) {
    this.startClient = startClient ?? new ConnectClient({ maxAttempts: 1 });
  }

  static fromConfig(target: ConnectTarget, config: ConnectClientConfig): ConnectTelephony {
    return new ConnectTelephony(target, new ConnectClient(config), new ConnectClient({ ...config, maxAttempts: 1, retryStrategy: undefined }));
  }

  async startCall(request: StartCallRequest): Promise<{ contactId: string }> {
    try {
      const result = await this.startClient.send(
        new StartOutboundVoiceContactCommand({
          InstanceId: this.target.instanceId,
          ContactFlowId: this.target.contactFlowId,
          DestinationPhoneNumber: request.destination,
          ...(this.target.sourcePhoneNumber ? { SourcePhoneNumber: this.target.sourcePhoneNumber } : {}),
          ...(this.target.queueId ? { QueueId: this.target.queueId } : {}),
          ClientToken: request.clientToken,
          Attributes: request.attributes,
        }),
      );
      if (!result.ContactId) throw new Error('StartOutboundVoiceContact returned no ContactId');
      return { contactId: result.ContactId };
    } catch (error) {
      if (
        error instanceof DestinationNotAllowedException ||
        error instanceof OutboundContactNotPermittedException ||
        error instanceof InvalidParameterException
      ) {
        throw new CallRejectedError(error.message, error.name);
      }
      throw error;
    }
  }

  async stopCall(contactId: string): Promise<void> {
    try {
      await this.client.send(new StopContactCommand({ InstanceId: this.target.instanceId, ContactId: contactId }));
    } catch (error) {
      // Already over: that is what we wanted.
      if (error instanceof ContactNotFoundException || error instanceof InvalidRequestException) return;
      throw error;
    }
  }

  async describeCall(contactId: string): Promise<ContactState> {
    try {
      const { Contact } = await this.client.send(new DescribeContactCommand({ InstanceId: this.target.instanceId, ContactId: contactId }));
      if (!Contact) return { state: 'unknown' };
      const connected = Contact.ConnectedToSystemTimestamp !== undefined;
      if (!Contact.DisconnectTimestamp) return { state: 'active', connected };
      const ended: ContactState = { state: 'ended', connected, endedAt: Contact.DisconnectTimestamp.getTime() };
      return Contact.DisconnectReason ? { ...ended, disconnectReason: Contact.DisconnectReason } : ended;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return { state: 'unknown' };
      throw error;
    }
  }
}
