import { PublishCommand, SNSClient, type PublishCommandInput, type SNSClientConfig } from '@aws-sdk/client-sns';
import type { Notification } from '../../../domain/notification.ts';
import type { Notifier } from '../../../handlers/ports.ts';

/**
 * The notifier port on Amazon SNS: one Publish to the notification topic (context `notifyTopicArn`,
 * or the stack's own topic) per notification. The message is structured per protocol, so each
 * subscriber gets what reads well there:
 *
 * - `email` and `default`: the plain text, with the subject line (ASCII, under 100 characters);
 * - `sms`: one short line;
 * - `https`: an AWS Chatbot custom notification (Amazon Q Developer in chat applications, Slack,
 *   Teams, Chime), which is how Chatbot subscribes to a topic — a plain-text message would be
 *   dropped by it;
 * - `sqs`, `lambda`: the notification as JSON, for programs.
 *
 * Message attributes (kind, severity, system, host, service, incidentId, …) let a subscription
 * filter, e.g. `{"kind": ["incident-exhausted"]}` for a pager that should hear only those.
 */
export class SnsNotifier implements Notifier {
  constructor(
    private readonly topicArn: string,
    private readonly client: SNSClient = new SNSClient({}),
  ) {}

  static fromConfig(topicArn: string, config: SNSClientConfig): SnsNotifier {
    return new SnsNotifier(topicArn, new SNSClient(config));
  }

  async notify(notification: Notification): Promise<{ messageId: string }> {
    const result = await this.client.send(new PublishCommand(publishInput(this.topicArn, notification)));
    if (!result.MessageId) throw new Error('SNS Publish answered without a MessageId');
    return { messageId: result.MessageId };
  }
}

/** The Chatbot custom notification (schema version 1.0, source `custom`). */
export function chatbotMessage(n: Notification): Record<string, unknown> {
  return {
    version: '1.0',
    source: 'custom',
    id: n.notificationId,
    content: { textType: 'client-markdown', title: n.chat.title, description: n.chat.description, nextSteps: n.chat.nextSteps, keywords: n.chat.keywords },
    metadata: {
      // One thread per incident in the channel: its hand-over, then its exhaustion, read together.
      ...(n.incidentId ? { threadId: `yobidashi-${n.incidentId}` } : {}),
      summary: n.subject,
      eventType: n.kind,
      ...(n.incidentId ? { relatedResources: [n.incidentId] } : {}),
      additionalContext: n.attributes,
    },
  };
}

/** What programs subscribed to the topic get. */
export function machineMessage(n: Notification): Record<string, unknown> {
  return {
    version: 1,
    notificationId: n.notificationId,
    kind: n.kind,
    subject: n.subject,
    text: n.text,
    ...(n.incidentId ? { incidentId: n.incidentId } : {}),
    ...(n.system ? { system: n.system } : {}),
    attributes: n.attributes,
    at: new Date(n.at).toISOString(),
  };
}

export function publishInput(topicArn: string, n: Notification): PublishCommandInput {
  const machine = JSON.stringify(machineMessage(n));
  const message = {
    default: n.text,
    email: n.text,
    sms: n.short,
    https: JSON.stringify(chatbotMessage(n)),
    sqs: machine,
    lambda: machine,
  };
  return {
    TopicArn: topicArn,
    Subject: n.subject,
    MessageStructure: 'json',
    Message: JSON.stringify(message),
    MessageAttributes: Object.fromEntries(
      // SNS refuses an empty attribute value; at most 10 attributes.
      Object.entries(n.attributes)
        .filter(([, value]) => value !== '')
        .slice(0, 10)
        .map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
    ),
  };
}
