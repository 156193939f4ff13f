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
 * allowed, malformed number, outbound not permitted) become CallRejectedError; throttling and
 * concurrency limits are thrown as they are so the event is retried with backoff.
 */
export class ConnectTelephony implements Telephony {
  constructor(
    private readonly target: ConnectTarget,
    private readonly client: ConnectClient = new ConnectClient({}),
  ) {}

  static fromConfig(target: ConnectTarget, config: ConnectClientConfig): ConnectTelephony {
    return new ConnectTelephony(target, new ConnectClient(config));
  }

  async startCall(request: StartCallRequest): Promise<{ contactId: string }> {
    try {
      const result = await this.client.send(
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
