import type { RosterInput } from '../../domain/roster.ts';

/** The scenarios' responders: Aki, Ben and Cho of system XYZ, their phones, and their roster. */
export const AKI = '+819011110001';
export const BEN = '+819011110002';
export const CHO = '+819011110003';

/**
 * XYZ's roster with the first `people` of Aki, Ben and Cho. `mixed` speaks the article's languages
 * (Aki and Cho in Japanese in Tokyo, Ben in English in New York); `en-US` has all three in English
 * in Tokyo, for tests that read what is said.
 */
export function xyzRoster(options: { rounds?: number; people?: 2 | 3; voices?: 'mixed' | 'en-US' } & Partial<RosterInput> = {}): RosterInput {
  const { rounds = 1, people = 3, voices = 'mixed', ...extra } = options;
  const mixed = voices === 'mixed';
  const responders = [
    { name: 'Aki', phone: AKI, language: mixed ? 'ja-JP' : 'en-US', timezone: 'Asia/Tokyo' },
    { name: 'Ben', phone: BEN, language: 'en-US', timezone: mixed ? 'America/New_York' : 'Asia/Tokyo' },
    { name: 'Cho', phone: CHO, language: mixed ? 'ja-JP' : 'en-US', timezone: 'Asia/Tokyo' },
  ] as const;
  return { system: 'XYZ', rounds, responders: responders.slice(0, people).map((r) => ({ ...r })), ...extra };
}
