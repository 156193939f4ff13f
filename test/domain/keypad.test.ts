import { describe, expect, it } from 'vitest';
import { digitsFromFlow, interpretKeypad } from '../../domain/keypad.ts';
import { outcomeFromDigits, outcomeFromDisconnect } from '../../domain/outcome.ts';

describe('keypad', () => {
  it.each([
    ['1', { kind: 'acknowledge' }],
    ['3', { kind: 'skip' }],
    ['912#', { kind: 'silence', hours: 12 }],
    ['91#', { kind: 'silence', hours: 1 }],
    ['9168#', { kind: 'silence', hours: 168 }],
    ['9#', { kind: 'silence', hours: 12 }],
    ['9169#', { kind: 'none' }],
    ['90#', { kind: 'none' }],
    ['9999#', { kind: 'none' }],
    ['912', { kind: 'none' }],
    ['9', { kind: 'none' }],
    ['', { kind: 'none' }],
    ['2', { kind: 'none' }],
    ['11', { kind: 'none' }],
    ['*', { kind: 'none' }],
  ])('%j means %j', (digits, expected) => {
    expect(interpretKeypad(digits)).toEqual(expected);
  });

  it('rebuilds keyed digits from what the flow reports', () => {
    expect(digitsFromFlow('9', '12')).toBe('912#');
    expect(digitsFromFlow('9', '')).toBe('9#');
    expect(digitsFromFlow('1', '5')).toBe('1');
    expect(digitsFromFlow('', '')).toBe('');
    expect(digitsFromFlow('none', '0')).toBe('');
  });

  it('maps digits to call outcomes; nothing but 1 acknowledges', () => {
    expect(outcomeFromDigits('1')).toEqual({ outcome: 'acknowledged' });
    expect(outcomeFromDigits('3')).toEqual({ outcome: 'skipped' });
    expect(outcomeFromDigits('924#')).toEqual({ outcome: 'silenced', silenceHours: 24 });
    expect(outcomeFromDigits('')).toEqual({ outcome: 'answered-no-input' });
    expect(outcomeFromDigits('5')).toEqual({ outcome: 'answered-no-input' });
  });
});

describe("Connect's DisconnectReason", () => {
  it.each([
    ['TELECOM_BUSY', false, 'busy'],
    ['TELECOM_UNANSWERED', false, 'no-answer'],
    ['TELECOM_TIMEOUT', false, 'no-answer'],
    ['EXPIRED', false, 'no-answer'],
    ['TELECOM_NUMBER_INVALID', false, 'failed'],
    ['TELECOM_PROBLEM', false, 'failed'],
    ['OUTBOUND_DESTINATION_ENDPOINT_ERROR', false, 'failed'],
    ['OUTBOUND_ATTEMPT_FAILED', false, 'failed'],
    ['CUSTOMER_DISCONNECT', true, 'answered-no-input'],
    ['CUSTOMER_DISCONNECT', false, 'no-answer'],
    ['CONTACT_FLOW_DISCONNECT', true, 'answered-no-input'],
    ['API', true, 'answered-no-input'],
    [undefined, false, 'no-answer'],
    ['SOMETHING_NEW', true, 'answered-no-input'],
  ] as const)('%s (connected: %s) is %s', (reason, connected, outcome) => {
    expect(outcomeFromDisconnect(reason, connected)).toBe(outcome);
  });

  it('an answered call is never acknowledged by its disconnect reason alone', () => {
    for (const reason of ['CUSTOMER_DISCONNECT', 'CONTACT_FLOW_DISCONNECT', 'AGENT_DISCONNECT', 'OTHER']) {
      expect(outcomeFromDisconnect(reason, true)).not.toBe('acknowledged');
    }
  });
});
