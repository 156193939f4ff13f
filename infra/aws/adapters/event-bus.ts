import { EventBridgeClient, PutEventsCommand, type EventBridgeClientConfig, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { OWN_SOURCE } from '../../../events/envelope.ts';
import type { OwnEvent } from '../../../events/catalog.ts';
import type { Bus, ForeignEvent } from '../../../handlers/ports.ts';

const MAX_ENTRIES_PER_CALL = 10;

export class PutEventsFailedError extends Error {
  constructor(readonly failures: { index: number; code: string; message: string }[]) {
    super(`PutEvents rejected ${failures.length} entr${failures.length === 1 ? 'y' : 'ies'}: ${failures.map((f) => `${f.code} ${f.message}`).join('; ')}`);
    this.name = 'PutEventsFailedError';
  }
}

/** The bus port on EventBridge PutEvents; any rejected entry fails the call so the handler retries. */
export class EventBridgeBus implements Bus {
  constructor(
    private readonly busName: string,
    private readonly client: EventBridgeClient = new EventBridgeClient({}),
  ) {}

  static fromConfig(busName: string, config: EventBridgeClientConfig): EventBridgeBus {
    return new EventBridgeBus(busName, new EventBridgeClient(config));
  }

  async publish(events: readonly (OwnEvent | ForeignEvent)[]): Promise<void> {
    const entries: PutEventsRequestEntry[] = events.map((event) => ({
      EventBusName: this.busName,
      Source: 'source' in event ? event.source : OWN_SOURCE,
      DetailType: event.detailType,
      Detail: JSON.stringify(event.detail),
    }));
    for (let start = 0; start < entries.length; start += MAX_ENTRIES_PER_CALL) {
      const batch = entries.slice(start, start + MAX_ENTRIES_PER_CALL);
      const result = await this.client.send(new PutEventsCommand({ Entries: batch }));
      if (result.FailedEntryCount) {
        const failures = (result.Entries ?? []).flatMap((entry, i) =>
          entry.ErrorCode ? [{ index: start + i, code: entry.ErrorCode, message: entry.ErrorMessage ?? '' }] : [],
        );
        throw new PutEventsFailedError(failures);
      }
    }
  }
}
