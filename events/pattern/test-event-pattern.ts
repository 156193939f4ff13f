/**
 * EventBridge's TestEventPattern, decided as AWS decides it, with no I/O: the local runtime's API
 * face and the CLI's `test-pattern` both call this and only translate its answer.
 */
import { compilePattern } from './compile.ts';
import { InvalidEventError, InvalidEventPatternError } from './errors.ts';
import { matchCompiled } from './match.ts';

/**
 * The fields TestEventPattern requires in the event (AWS answers "Parameter Event is not valid."
 * without any of them). AWS's API reference lists `resources` too, but EventBridge accepts an event
 * without it.
 */
export const REQUIRED_EVENT_FIELDS = ['id', 'account', 'source', 'time', 'region', 'detail-type'] as const;

/**
 * Whether the event matches the pattern, both given as the JSON text TestEventPattern receives.
 *
 * Throws InvalidEventError (AWS: ValidationException, "Parameter Event is not valid.") if the event
 * is not JSON, not a JSON object, or lacks one of REQUIRED_EVENT_FIELDS; then
 * InvalidEventPatternError (AWS: InvalidEventPatternException, "Event pattern is not valid. Reason:
 * ...") if the pattern is not JSON or not a pattern EventBridge accepts. `toAwsError` turns either
 * into the code, message and HTTP status EventBridge answers with.
 */
export function testEventPattern(patternText: string, eventText: string): boolean {
  const event = parseEvent(eventText);
  let pattern: unknown;
  try {
    pattern = JSON.parse(patternText);
  } catch (error) {
    throw new InvalidEventPatternError(`not valid JSON (${(error as Error).message})`);
  }
  return matchCompiled(compilePattern(pattern), event);
}

function parseEvent(text: string): Record<string, unknown> {
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch (error) {
    throw new InvalidEventError(`the event is not valid JSON (${(error as Error).message})`);
  }
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new InvalidEventError(`the event must be a JSON object, got ${Array.isArray(event) ? 'an array' : event === null ? 'null' : typeof event}`);
  }
  const record = event as Record<string, unknown>;
  const missing = REQUIRED_EVENT_FIELDS.filter((field) => !Object.hasOwn(record, field));
  if (missing.length > 0) throw new InvalidEventError(`the event lacks ${missing.map((f) => `"${f}"`).join(', ')}`);
  return record;
}
