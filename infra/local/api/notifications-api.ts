import { Hono } from 'hono';
import type { NotificationTopic, PublishedNotification } from '../aws/sns/notification-topic.ts';
import { valid } from '../http/request-validation.ts';
import { padded, page, pageQuery, type Listing } from './pagination.ts';

/**
 * GET /api/notifications: what the notification topic published (the runtime's SNS topic, which on
 * AWS is `notifyTopicArn` or the stack's own), newest first, paged like every listing
 * (`?limit`, `?nextToken`). Each: its subject, the text an email gets, every protocol's part
 * (`messages`: sms, https for AWS Chatbot, sqs for programs), the message attributes and when.
 */
export interface NotificationsDeps {
  topic: NotificationTopic;
}

export function notificationsApi(deps: NotificationsDeps): Hono {
  const listing: Listing<PublishedNotification> = {
    name: 'notifications',
    descending: true,
    first: (n) => deps.topic.list(n),
    key: (n) => `${padded(Date.parse(n.publishedAt))}|${n.messageId}`,
  };
  const api = new Hono({ strict: false });
  api.get('/notifications', valid('query', pageQuery), async (c) => {
    const query = c.req.valid('query');
    const result = await page(listing, query);
    if (result.nextToken !== undefined) {
      c.header('X-Next-Token', result.nextToken);
      c.header('Link', `<${c.req.path}?limit=${query.limit ?? result.items.length}&nextToken=${result.nextToken}>; rel="next"`);
    }
    return c.json(result.items.map(view));
  });
  return api;
}

/** The kind and the incident, from the attributes the notifier set, up front for readers and the console. */
function view(n: PublishedNotification) {
  return {
    messageId: n.messageId,
    publishedAt: n.publishedAt,
    kind: n.attributes.kind,
    incidentId: n.attributes.incidentId,
    system: n.attributes.system,
    subject: n.subject,
    message: n.message,
    messages: n.messages,
    attributes: n.attributes,
    topicArn: n.topicArn,
  };
}
