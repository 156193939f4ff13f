import * as z from 'zod';
import { InvalidContactHoursError, parseContactHours, isValidTimeZone } from './hours.ts';

/** Who gets called for a system, in order, and how many rounds through the list. */

export const LANGUAGES = ['ja-JP', 'en-US'] as const;
export const DEFAULT_ROUNDS = 3;
export const MAX_ROUNDS = 10;
export const MAX_RESPONDERS = 20;

const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number such as +81312345678');
const timeZone = z.string().refine(isValidTimeZone, 'must be an IANA time zone such as Asia/Tokyo');

export const responderSchema = z
  .object({
    name: z.string().trim().min(1).max(64),
    phone: e164,
    language: z.enum(LANGUAGES).default('ja-JP'),
    timezone: timeZone.default('Asia/Tokyo'),
    hours: z.string().trim().min(1).optional(),
  })
  .superRefine((responder, ctx) => {
    if (responder.hours === undefined) return;
    try {
      parseContactHours(responder.hours);
    } catch (error) {
      if (!(error instanceof InvalidContactHoursError)) throw error;
      ctx.addIssue({ code: 'custom', path: ['hours'], message: error.message });
    }
  });

/** What makes alerts one incident: the fields of the group key (docs/escalation.md, Grouping). */
export type GroupField = 'system' | 'host' | 'service';
export const GROUP_BY_CHOICES: readonly (readonly GroupField[])[] = [['system', 'host', 'service'], ['system', 'host'], ['system']];
export const DEFAULT_GROUP_BY: GroupField[] = ['system', 'host', 'service'];
export const DEFAULT_MIN_CALL_GAP_SECONDS = 60;

const groupBy = z
  .array(z.enum(['system', 'host', 'service']))
  .refine((fields) => GROUP_BY_CHOICES.some((choice) => choice.length === fields.length && choice.every((f, i) => fields[i] === f)), {
    message: 'must be ["system","host","service"], ["system","host"] or ["system"]',
  });

/** Bounds of `repageAfterMinutes`: at least 5 minutes to work on it, at most a day (an acknowledged incident absorbs its group's alerts that long). */
export const MIN_REPAGE_MINUTES = 5;
export const MAX_REPAGE_MINUTES = 24 * 60;
const REPAGE_MESSAGE = `must be whole minutes from ${MIN_REPAGE_MINUTES} to ${MAX_REPAGE_MINUTES}`;

/** Strict: a misspelt key (`rooster`) is refused, not dropped. */
const onExhausted = z
  .object({ roster: z.string().trim().min(1).max(256) })
  .strict();

export const rosterSchema = z.object({
  system: z.string().trim().min(1).max(256),
  rounds: z.number().int().min(1).max(MAX_ROUNDS).default(DEFAULT_ROUNDS),
  responders: z.array(responderSchema).min(1, 'a roster needs at least one responder').max(MAX_RESPONDERS),
  /** Time zone of `lastcheck` values that carry no offset (the article's tools send local time). */
  alertTimezone: timeZone.default('Asia/Tokyo'),
  /**
   * A responder is not phoned again (for another incident) until this long after their last call
   * ended: the incidents wait for their line, and are told together in one call.
   */
  minCallGapSeconds: z.number().int().min(0).max(3600).default(DEFAULT_MIN_CALL_GAP_SECONDS),
  /** The fields that make alerts one incident. */
  groupBy: groupBy.default(DEFAULT_GROUP_BY),
  /** An alert joins an open incident of its group only within this many minutes of its opening; unset: while it is open. */
  groupWindowMinutes: z.number().int().min(1).max(7 * 24 * 60).optional(),
  /**
   * When every round of this roster has gone unanswered, escalation goes on with another roster
   * (a manager's) instead of ending exhausted. The roster is read when the rounds run out, so it
   * may be imported later; an incident never calls a roster twice, and calls at most
   * MAX_ROSTERS_PER_INCIDENT rosters in all (docs/escalation.md, "Nobody answered").
   */
  onExhausted: onExhausted.optional(),
  /**
   * An incident acknowledged but not resolved this many minutes later is phoned again: the
   * acknowledger first, then this roster from the top (docs/escalation.md, "Re-page"). Unset: never.
   */
  repageAfterMinutes: z
    .number()
    .int(REPAGE_MESSAGE)
    .min(MIN_REPAGE_MINUTES, REPAGE_MESSAGE)
    .max(MAX_REPAGE_MINUTES, REPAGE_MESSAGE)
    .optional(),
});

/**
 * How many rosters one incident may call: the one that opened it and at most two more along
 * `onExhausted` (team → managers → directors). Together with "never the same roster twice" this
 * ends every chain, cycles (A → B → A) included.
 */
export const MAX_ROSTERS_PER_INCIDENT = 3;

export interface RosterProblem {
  path: (string | number)[];
  message: string;
}

/**
 * What the schema cannot see on a single field: a roster that hands over to itself. Kept apart from
 * `rosterSchema` (a refinement there would stop the API from extending the schema); the roster
 * file reader, the CLI and the API all call it, so the message is the same everywhere.
 */
export function rosterProblems(roster: Pick<Roster, 'system' | 'onExhausted'>): RosterProblem[] {
  if (roster.onExhausted && roster.onExhausted.roster === roster.system) {
    return [{ path: ['onExhausted', 'roster'], message: `must name another roster: "${roster.system}" cannot hand over to itself` }];
  }
  return [];
}

export type Responder = z.infer<typeof responderSchema>;
export type Roster = z.infer<typeof rosterSchema>;
export type RosterInput = z.input<typeof rosterSchema>;

/** The system whose roster answers for systems that have none of their own. */
export const FALLBACK_SYSTEM = 'default';

export function maskPhone(phone: string): string {
  if (phone.length <= 6) return '*'.repeat(phone.length);
  return `${phone.slice(0, 3)}${'*'.repeat(phone.length - 7)}${phone.slice(-4)}`;
}
