import type { CallOutcome } from '../events/catalog.ts';
import { interpretKeypad } from './keypad.ts';

/**
 * Amazon Connect's DisconnectReason values mapped onto our call outcomes. Used when a call ended
 * without the contact flow reporting a keypad choice.
 */
const BUSY = new Set(['TELECOM_BUSY']);
const NO_ANSWER = new Set(['TELECOM_UNANSWERED', 'TELECOM_TIMEOUT', 'EXPIRED', 'TELECOM_ORIGINATOR_CANCEL']);
const FAILED = new Set([
  'TELECOM_NUMBER_INVALID',
  'TELECOM_PROBLEM',
  'TELECOM_POTENTIAL_BLOCKING',
  'OUTBOUND_DESTINATION_ENDPOINT_ERROR',
  'OUTBOUND_RESOURCE_ERROR',
  'OUTBOUND_ATTEMPT_FAILED',
]);

/**
 * `connected` is whether media was established (CONNECTED_TO_SYSTEM). A call that connected and
 * then ended without a flow result is "answered, no input" whatever the reason says: somebody or
 * something picked up and did not press a key.
 */
export function outcomeFromDisconnect(reason: string | undefined, connected: boolean): CallOutcome {
  const code = (reason ?? '').toUpperCase();
  if (BUSY.has(code)) return 'busy';
  if (FAILED.has(code)) return 'failed';
  if (NO_ANSWER.has(code)) return connected ? 'answered-no-input' : 'no-answer';
  return connected ? 'answered-no-input' : 'no-answer';
}

export function outcomeFromDigits(digits: string): { outcome: CallOutcome; silenceHours?: number } {
  const choice = interpretKeypad(digits);
  switch (choice.kind) {
    case 'acknowledge':
      return { outcome: 'acknowledged' };
    case 'skip':
      return { outcome: 'skipped' };
    case 'silence':
      return { outcome: 'silenced', silenceHours: choice.hours };
    case 'none':
      return { outcome: 'answered-no-input' };
  }
}
