import { testEventPattern, toAwsError } from '../../../../events/pattern/index.ts';
import { AwsError } from '../protocols/aws-error.ts';
import type { JsonService } from '../protocols/aws-json.ts';
import { ARCHIVE_NAME, type EventBridgeCore, type PutEventsEntry } from './event-bridge-core.ts';

/**
 * EventBridge's operations on AWS JSON 1.1 (`X-Amz-Target: AWSEvents.<Op>`), over the core:
 * PutEvents, TestEventPattern (our matcher), ListRules, ListArchives, StartReplay, DescribeReplay,
 * ListReplays. Errors are `{"__type": code}` with `x-amzn-errortype`, as EventBridge answers.
 */
const STRING_FIELDS = ['EventBusName', 'Source', 'DetailType', 'Detail', 'TraceHeader'] as const;

/**
 * A PutEvents request as the protocol types it. What the protocol itself cannot read (an entry that
 * is not an object, a number where a string belongs, a timestamp that is not one) refuses the
 * whole request with a SerializationException before any entry is accepted, as AWS does; a wrong
 * number of entries is a ValidationException. Everything else is judged entry by entry.
 */
export function putEventsRequest(input: Record<string, unknown>): PutEventsEntry[] {
  const entries = input.Entries;
  if (!Array.isArray(entries)) throw new AwsError('SerializationException', 'Entries: expected a list of entries.');
  if (entries.length < 1 || entries.length > 10) {
    throw new AwsError('ValidationException', `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and 10 (got ${entries.length})`);
  }
  return entries.map((entry: unknown, i) => {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new AwsError('SerializationException', `Entries.${i}: expected an object`);
    const e = entry as Record<string, unknown>;
    for (const field of STRING_FIELDS) {
      if (e[field] !== undefined && typeof e[field] !== 'string') throw new AwsError('SerializationException', `Entries.${i}.${field}: expected a string`);
    }
    if (e.Resources !== undefined && !(Array.isArray(e.Resources) && e.Resources.every((r) => typeof r === 'string'))) throw new AwsError('SerializationException', `Entries.${i}.Resources: expected a list of strings`);
    if (e.Time !== undefined) {
      const ms = typeof e.Time === 'number' ? e.Time * 1000 : typeof e.Time === 'string' ? Date.parse(e.Time) : Number.NaN;
      if (!Number.isFinite(ms) || Number.isNaN(new Date(ms).getTime())) throw new AwsError('SerializationException', `Entries.${i}.Time: not a timestamp`);
    }
    return e as PutEventsEntry;
  });
}

export function eventBridgeJson(core: EventBridgeCore): JsonService {
  const yobidashi = core.busArn('yobidashi');
  return {
    protocol: '1.1',
    errorTypeHeader: true,
    operations: {
      PutEvents: async (input) => {
        const results = await core.putEvents(putEventsRequest(input));
        return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
      },
      TestEventPattern: (input) => {
        // Decided as AWS decides it (events/pattern/test-event-pattern.ts), as the CLI's test-pattern does.
        try {
          return { Result: testEventPattern(String(input.EventPattern), String(input.Event)) };
        } catch (error) {
          const answer = toAwsError(error);
          if (answer) throw new AwsError(answer.code, answer.message, answer.status);
          throw error;
        }
      },
      ListRules: (input) => ({ Rules: core.rules(input.EventBusName as string | undefined, input.NamePrefix as string | undefined) }),
      ListArchives: () => {
        const size = core.archive.reduce((sum, e) => sum + JSON.stringify(e).length, 0);
        return {
          Archives: [
            {
              ArchiveName: ARCHIVE_NAME,
              EventSourceArn: yobidashi,
              State: 'ENABLED',
              RetentionDays: 0,
              SizeBytes: size,
              EventCount: core.archive.length,
              CreationTime: core.archive[0] ? Date.parse(core.archive[0].time) / 1000 : 0,
            },
          ],
        };
      },
      StartReplay: (input) => {
        const destination = (input.Destination ?? {}) as { Arn?: string };
        if (destination.Arn && destination.Arn !== yobidashi) throw new AwsError('ValidationException', `Replays can only go to ${yobidashi}.`);
        try {
          const replay = core.startReplay({
            ReplayName: String(input.ReplayName),
            EventSourceArn: String(input.EventSourceArn),
            EventStartTime: Number(input.EventStartTime),
            EventEndTime: Number(input.EventEndTime),
          });
          return { ReplayArn: replay.ReplayArn, State: replay.State, ReplayStartTime: replay.ReplayStartTime };
        } catch (error) {
          const code = (error as { code?: string }).code ?? 'ValidationException';
          throw new AwsError(code, (error as Error).message);
        }
      },
      DescribeReplay: (input) => {
        const replay = core.replays.get(String(input.ReplayName));
        if (!replay) throw new AwsError('ResourceNotFoundException', `Replay ${String(input.ReplayName)} does not exist.`);
        const { eventsReplayed: _count, ...shape } = replay;
        return { ...shape, Destination: { Arn: yobidashi } };
      },
      ListReplays: () => ({ Replays: [...core.replays.values()].map(({ eventsReplayed: _c, ...r }) => r) }),
    },
    unknownOperation: (operation) => new AwsError('UnknownOperationException', `Operation ${operation} is not supported by the local EventBridge.`),
  };
}
