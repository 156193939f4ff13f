import type { FailedDeliveries } from '../../handlers/ports.ts';
import type { EventBridgeCore } from './event-bridge.ts';

/**
 * The sweep's view of failed deliveries, locally: the dead-letter list of the EventBridge core
 * (on AWS: the SQS queues behind the rules and the functions, infra/aws/adapters). In-process,
 * because there is no local SQS or Lambda API to speak to; the rule it applies is the same.
 */
export class LocalFailedDeliveries implements FailedDeliveries {
  constructor(private readonly core: EventBridgeCore) {}

  async redrive({ now, maxAgeMs, limit }: { now: number; maxAgeMs: number; limit: number }): Promise<{ redriven: number; kept: number }> {
    const young = (l: { envelope: { time: string } }) => now - Date.parse(l.envelope.time) < maxAgeMs;
    const letters = this.core.deadLetters;
    const ids = new Set(letters.filter(young).slice(0, limit).map((l) => l.id));
    const redriven = this.core.redrive((l) => ids.has(l.id)).length;
    return { redriven, kept: letters.filter((l) => !young(l)).length };
  }
}
