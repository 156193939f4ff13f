/**
 * What the digits a responder pressed mean. Only a digit proves a person: an answered call with no
 * (or an unknown) digit is never an acknowledgement, since voicemail "answers" too.
 *
 *   1          acknowledge
 *   3          skip to the next responder
 *   9 H... #   silence for H hours (1-168); `9#` alone is 12 hours
 */
export const DEFAULT_SILENCE_HOURS = 12;
export const MAX_SILENCE_HOURS = 168;

export type KeypadChoice =
  | { kind: 'acknowledge' }
  | { kind: 'skip' }
  | { kind: 'silence'; hours: number }
  | { kind: 'none' };

export function interpretKeypad(digits: string): KeypadChoice {
  if (digits === '1') return { kind: 'acknowledge' };
  if (digits === '3') return { kind: 'skip' };
  const silence = /^9(\d{0,3})#$/.exec(digits);
  if (silence) {
    const entered = silence[1] ?? '';
    const hours = entered === '' ? DEFAULT_SILENCE_HOURS : Number(entered);
    if (hours >= 1 && hours <= MAX_SILENCE_HOURS) return { kind: 'silence', hours };
  }
  return { kind: 'none' };
}

/**
 * The flow reports its menu choice (`1`, `3`, `9`, or `none` after three silent menus) and, for 9,
 * the hours it stored; rebuild the keyed digits.
 */
export function digitsFromFlow(choice: string, hours: string): string {
  if (choice === 'none') return '';
  return choice === '9' ? `9${hours}#` : choice;
}
