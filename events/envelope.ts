import * as z from 'zod';

/**
 * The EventBridge envelope as a rule target receives it. Only the fields the handlers rely on are
 * required; anything else EventBridge adds later passes through untouched.
 */
export const envelopeSchema = z
  .object({
    version: z.string().default('0'),
    id: z.string().min(1),
    'detail-type': z.string().min(1),
    source: z.string().min(1),
    account: z.string().default('000000000000'),
    time: z.string().min(1),
    region: z.string().default('us-east-1'),
    resources: z.array(z.string()).default([]),
    detail: z.unknown(),
    'replay-name': z.string().optional(),
  })
  .passthrough();

export type Envelope = z.infer<typeof envelopeSchema>;

/** The name of our own bus; monitoring tools put AlertReceived here. */
export const BUS_NAME = 'yobidashi';
/** Source of every event yobidashi itself emits. */
export const OWN_SOURCE = 'yobidashi';

export function isReplay(envelope: { 'replay-name'?: string | undefined }): boolean {
  return typeof envelope['replay-name'] === 'string';
}
