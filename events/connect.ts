import * as z from 'zod';

/**
 * Shapes Amazon Connect hands us: the contact event it publishes on the default bus, and the
 * ContactFlowEvent our contact flow sends when it invokes the flow-result Lambda.
 */

export const CONTACT_EVENT_DETAIL_TYPE = 'Amazon Connect Contact Event';

export const contactEventDetailSchema = z
  .object({
    eventType: z.string().min(1),
    contactId: z.string().min(1),
    instanceArn: z.string().optional(),
    channel: z.string().optional(),
    initiationMethod: z.string().optional(),
    initiationTimestamp: z.string().optional(),
    connectedToSystemTimestamp: z.string().optional(),
    disconnectTimestamp: z.string().optional(),
    // Newer contact events carry it; when absent the handler asks DescribeContact.
    disconnectReason: z.string().optional(),
  })
  .passthrough();
export type ContactEventDetail = z.infer<typeof contactEventDetailSchema>;

/** Parameters the flow passes to the flow-result Lambda (see contact-flow/). */
export const flowResultParametersSchema = z.object({
  choice: z.string().max(8).default(''),
  hours: z.string().max(8).default(''),
  incidentId: z.string().min(1),
  attempt: z.coerce.number().int().positive(),
});

export const contactFlowEventSchema = z.object({
  Name: z.literal('ContactFlowEvent').optional(),
  Details: z.object({
    ContactData: z
      .object({
        ContactId: z.string().min(1),
        InitialContactId: z.string().optional(),
        Attributes: z.record(z.string(), z.string()).default({}),
      })
      .passthrough(),
    Parameters: z.record(z.string(), z.string()).default({}),
  }),
});
export type ContactFlowEvent = z.input<typeof contactFlowEventSchema>;

/** What the flow reads back: Connect needs a flat map of strings. */
export interface FlowResultResponse {
  [key: string]: string;
  status: 'recorded' | 'ignored';
  outcome: string;
}
