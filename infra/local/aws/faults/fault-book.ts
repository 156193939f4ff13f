import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { HANDLER_NAMES } from '../../../../events/routes.ts';
import type { Clock } from '../../../../handlers/ports.ts';
import { AwsError } from '../protocols/aws-error.ts';

/**
 * Fault injection for the local cloud: "for the next 10 minutes Connect throttles every start",
 * "the next 5 invocations of place-call throw". Faults act where AWS would fail: the wire APIs
 * answer with the AWS error (so the real SDK sees a real error and applies its own retry rules),
 * and a handler fault fails the invocation before the handler runs. `forSeconds` runs on the
 * runtime's clock, so it is scaled like every other delay.
 */

export const FAULT_TARGETS = [
  'connect:StartOutboundVoiceContact',
  'connect:DescribeContact',
  'connect:StopContact',
  'connect:*',
  'scheduler:CreateSchedule',
  'scheduler:DeleteSchedule',
  'scheduler:*',
  'dynamodb:*',
  'events:PutEvents',
  'lambda:Invoke',
] as const;

const DYNAMODB_OPERATION = /^dynamodb:[A-Z][A-Za-z]+$/;
const HANDLER_TARGETS = [...HANDLER_NAMES, 'flow-result'].map((name) => `handler:${name}`);

export const faultSpecSchema = z
  .object({
    target: z.string().refine((t) => (FAULT_TARGETS as readonly string[]).includes(t) || DYNAMODB_OPERATION.test(t) || HANDLER_TARGETS.includes(t), {
      message: `must be one of ${[...FAULT_TARGETS, 'dynamodb:<Operation>', 'handler:<name>'].join(', ')} (handlers: ${[...HANDLER_NAMES, 'flow-result'].join(', ')})`,
    }),
    error: z.string().regex(/^[A-Za-z][A-Za-z0-9]{2,80}$/, 'must be an AWS error code such as ThrottlingException or InternalServiceException'),
    message: z.string().max(500).optional(),
    forSeconds: z.number().positive().max(7 * 24 * 3600).optional(),
    times: z.number().int().positive().max(1_000_000).optional(),
  })
  .strict()
  .superRefine((spec, ctx) => {
    if (spec.forSeconds === undefined && spec.times === undefined) ctx.addIssue({ code: 'custom', path: ['forSeconds'], message: 'give forSeconds (runtime seconds) or times' });
    if (spec.forSeconds !== undefined && spec.times !== undefined) ctx.addIssue({ code: 'custom', path: ['times'], message: 'give forSeconds or times, not both' });
  });
export type FaultSpec = z.infer<typeof faultSpecSchema>;

export interface Fault extends FaultSpec {
  id: string;
  addedAt: string;
  /** When a `forSeconds` fault ends (runtime time). */
  until?: string;
  /** What is left of a `times` fault. */
  remaining?: number;
  /** Requests it has failed so far. */
  hits: number;
}

/** An injected AWS error, shaped the way the local services answer with it. */
export class FaultError extends AwsError {
  constructor(code: string, message: string, status: number) {
    super(code, message, status);
    this.name = code;
  }
}

/**
 * The HTTP status AWS uses for an error code: throttling and quotas 429 on REST APIs (400 on the
 * JSON protocols of DynamoDB and EventBridge), internal and unavailable errors 5xx, the rest 400.
 */
export function faultStatus(code: string, protocol: 'rest' | 'json'): number {
  if (/Internal|ServiceFailure|ServiceException$/.test(code)) return 500;
  if (/Unavailable/.test(code)) return 503;
  if (/Throttl|TooManyRequests|LimitExceeded|QuotaExceeded|ProvisionedThroughputExceeded|RequestLimitExceeded/.test(code)) return protocol === 'rest' ? 429 : 400;
  return 400;
}

function matches(faultTarget: string, target: string): boolean {
  if (faultTarget === target) return true;
  return faultTarget.endsWith(':*') && target.startsWith(faultTarget.slice(0, -1));
}

export class FaultBook {
  private faults: (Fault & { untilMs?: number })[] = [];

  constructor(private readonly clock: Clock) {}

  add(spec: FaultSpec): Fault {
    const now = this.clock.now();
    const fault: Fault & { untilMs?: number } = { ...spec, id: `flt-${randomUUID().slice(0, 8)}`, addedAt: new Date(now).toISOString(), hits: 0 };
    if (spec.forSeconds !== undefined) {
      fault.untilMs = now + spec.forSeconds * 1000;
      fault.until = new Date(fault.untilMs).toISOString();
    }
    if (spec.times !== undefined) fault.remaining = spec.times;
    this.faults.push(fault);
    return this.view(fault);
  }

  list(): Fault[] {
    this.expire();
    return this.faults.map((f) => this.view(f));
  }

  clear(): number {
    const n = this.faults.length;
    this.faults = [];
    return n;
  }

  /** The error to answer `target` (e.g. `connect:StartOutboundVoiceContact`) with, if a fault covers it; consumes one of a `times` fault. */
  take(target: string, protocol: 'rest' | 'json' = 'json'): FaultError | undefined {
    this.expire();
    const fault = this.faults.find((f) => matches(f.target, target));
    if (!fault) return undefined;
    fault.hits++;
    if (fault.remaining !== undefined) fault.remaining--;
    this.expire();
    return new FaultError(fault.error, fault.message ?? `Injected fault ${fault.id}: ${fault.error} on ${target}`, faultStatus(fault.error, protocol));
  }

  private expire(): void {
    const now = this.clock.now();
    this.faults = this.faults.filter((f) => (f.untilMs === undefined || now < f.untilMs) && (f.remaining === undefined || f.remaining > 0));
  }

  private view({ untilMs: _until, ...fault }: Fault & { untilMs?: number }): Fault {
    return fault;
  }
}
