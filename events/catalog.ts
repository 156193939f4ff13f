import * as z from 'zod';

/**
 * The events yobidashi itself puts on the bus (source `yobidashi`, detail-type = the key below).
 * Every detail carries `schemaVersion` so consumers and auditors replaying an old archive can tell
 * which shape they hold; bump it only with a migration note in docs/events.md.
 */
export const SCHEMA_VERSION = 1 as const;

const version = z.literal(SCHEMA_VERSION);
const incidentId = z.string().min(1);
const attempt = z.number().int().positive();
const isoTime = z.string().min(1);

export const CALL_OUTCOMES = [
  'acknowledged',
  'skipped',
  'silenced',
  'no-answer',
  'busy',
  'answered-no-input',
  'failed',
  'timeout',
] as const;
export const callOutcomeSchema = z.enum(CALL_OUTCOMES);

/** Who is being called. Phone numbers never travel on the bus (the archive is kept for audits). */
export const responderRefSchema = z.object({
  index: z.number().int().nonnegative(),
  name: z.string().min(1),
  language: z.enum(['ja-JP', 'en-US']),
});

export const silenceScopeSchema = z.object({
  system: z.string().min(1),
  host: z.string().min(1).optional(),
  service: z.string().min(1).optional(),
});

/** What identifies an incident's subject, on the events that open one. */
const incidentCoordinates = {
  schemaVersion: version,
  incidentId,
  dedupKey: z.string(),
  system: z.string(),
  host: z.string(),
  service: z.string(),
};

export const ownEventSchemas = {
  IncidentOpened: z.object({
    ...incidentCoordinates,
    openedAt: isoTime,
    plannedCalls: z.number().int().nonnegative(),
  }),
  IncidentSuppressed: z.object({
    ...incidentCoordinates,
    silenceId: z.string(),
    silencedUntil: isoTime,
    at: isoTime,
  }),
  Escalated: z.object({
    schemaVersion: version,
    incidentId,
    attempt,
    round: z.number().int().positive(),
    responder: responderRefSchema,
    /** Why this call: the incident opened, it was re-paged (acknowledged, not resolved: `repageAfterMinutes`), or the previous attempt's outcome. */
    because: z.union([z.literal('opened'), z.literal('repaged'), callOutcomeSchema]),
    at: isoTime,
  }),
  CallPlaced: z.object({
    schemaVersion: version,
    incidentId,
    attempt,
    contactId: z.string().min(1),
    responder: responderRefSchema,
    placedAt: isoTime,
  }),
  CallCheckDue: z.object({
    schemaVersion: version,
    incidentId,
    attempt,
    /** The call being watched; absent when the check was armed before the call was placed. */
    contactId: z.string().min(1).optional(),
    /** 1, 2, … along one chain of checks for this attempt. */
    check: z.number().int().positive(),
    /** Published by the sweep to repair an incident that had neither a live call nor a pending check. */
    sweep: z.boolean().optional(),
  }),
  CallDeferred: z.object({
    schemaVersion: version,
    incidentId,
    attempt,
    responder: responderRefSchema,
    /** Connect's error code, e.g. ThrottlingException or LimitExceededException. */
    reason: z.string().min(1),
    /** Placements turned away so far for this attempt. */
    tries: z.number().int().positive(),
    retryAt: isoTime,
    at: isoTime,
  }),
  SweepDue: z.object({
    schemaVersion: version,
  }),
  CallEnded: z.object({
    schemaVersion: version,
    incidentId,
    attempt,
    /** Absent only when Connect refused to place the call at all (`via: placement`). */
    contactId: z.string().min(1).optional(),
    outcome: callOutcomeSchema,
    digits: z.string().optional(),
    silenceHours: z.number().int().positive().optional(),
    disconnectReason: z.string().optional(),
    /** `line`: the responder stayed on another call for a ring time while this one waited (outcome busy). */
    via: z.enum(['contact-flow', 'contact-event', 'reconcile', 'placement', 'line']),
    endedAt: isoTime,
  }),
  CallTimeout: z.object({
    schemaVersion: version,
    incidentId,
    attempt,
    contactId: z.string().min(1),
    placedAt: isoTime,
    timedOutAt: isoTime,
    limitSeconds: z.number().int().positive(),
  }),
  Silenced: z.object({
    schemaVersion: version,
    incidentId,
    attempt,
    silenceId: z.string().min(1),
    scope: silenceScopeSchema,
    from: isoTime,
    until: isoTime,
    hours: z.number().int().positive(),
    by: z.string(),
  }),
  SilenceAdded: z.object({
    schemaVersion: version,
    silenceId: z.string().min(1),
    scope: silenceScopeSchema,
    from: isoTime,
    until: isoTime,
    /** `keypad:<name>`, `api`, `cli`, … */
    by: z.string(),
    reason: z.string().optional(),
    /** The incident whose call keyed it in, if any (it is silenced already). */
    incidentId: z.string().optional(),
    /** A maintenance window (domain/silence.ts): windows open at this cron(...) in `timezone`, each lasting `durationMinutes`; `until` ends the recurrence. */
    cron: z.string().min(1).optional(),
    durationMinutes: z.number().int().positive().optional(),
    timezone: z.string().min(1).optional(),
  }),
  /** A maintenance window's start, put on the bus by its one-time schedule: open incidents it covers are silenced. */
  MaintenanceWindowOpened: z.object({
    schemaVersion: version,
    silenceId: z.string().min(1),
    system: z.string().min(1),
    /** When the window was due to open (the schedule's time). */
    opensAt: isoTime,
  }),
  /**
   * A heartbeat monitor's deadline came (its one schedule, moved forward by each heartbeat): the
   * heartbeat handler decides on the stored monitor whether it went silent (docs/heartbeats.md).
   */
  HeartbeatMissed: z.object({
    schemaVersion: version,
    system: z.string().min(1),
    name: z.string().min(1),
    /** The deadline the schedule was armed for (the monitor as stored decides, not this). */
    deadline: isoTime,
  }),
  /**
   * A monitor's return told again, a while after it came back (one-time schedules at +1 and +10
   * minutes): EventBridge does not order deliveries, and the silence's AlertReceived may be read
   * after the return's (a retried delivery), opening an incident the return can no longer resolve.
   */
  HeartbeatRecheck: z.object({
    schemaVersion: version,
    system: z.string().min(1),
    name: z.string().min(1),
    /** The heartbeat that brought it back (its time): a later silence makes the recheck nothing. */
    seenAt: isoTime,
  }),
  /** An operator paused, resumed or removed a heartbeat monitor (API, CLI): the handler makes its schedule match. */
  HeartbeatChanged: z.object({
    schemaVersion: version,
    system: z.string().min(1),
    name: z.string().min(1),
    change: z.enum(['paused', 'resumed', 'removed']),
    by: z.string(),
    at: isoTime,
  }),
  IncidentSilenced: z.object({
    schemaVersion: version,
    incidentId,
    silenceId: z.string().min(1),
    until: isoTime,
    by: z.string(),
    /** The call that was ringing, if any: it is hung up (unless it also speaks for incidents still open). */
    activeAttempt: attempt.optional(),
    activeContactId: z.string().optional(),
    at: isoTime,
  }),
  IncidentAcknowledged: z.object({
    schemaVersion: version,
    incidentId,
    attempt,
    by: z.string(),
    at: isoTime,
    /** When the incident opened (time to acknowledge = at - openedAt); absent on events from before it was added. */
    openedAt: isoTime.optional(),
    /** The incident's system (a metric dimension); absent on events from before it was added. */
    system: z.string().optional(),
    /** Set when this acknowledges a re-page: which one (1, 2, …). Absent on the first acknowledgement. */
    repage: z.number().int().positive().optional(),
  }),
  /**
   * An acknowledgement's re-page is due (the roster's `repageAfterMinutes` after it), put on the bus
   * by its one-time schedule. Fenced by `attempt`, the acknowledged call: a later acknowledgement or
   * a resolve makes it a no-op.
   */
  RepageDue: z.object({
    schemaVersion: version,
    incidentId,
    /** The call that was acknowledged. */
    attempt,
    /** When the re-page was due (the schedule's time). */
    dueAt: isoTime,
  }),
  /** Acknowledged but not resolved after the roster's `repageAfterMinutes`: calling starts again, the acknowledger first. */
  IncidentRepaged: z.object({
    schemaVersion: version,
    incidentId,
    /** The incident's system (a metric dimension). */
    system: z.string(),
    /** 1 for the incident's first re-page, 2 for the next, … */
    count: z.number().int().positive(),
    /** Who acknowledged it, and when. */
    acknowledgedBy: z.string(),
    acknowledgedAt: isoTime,
    /** The acknowledged call. */
    afterAttempt: attempt,
    /** The roster called (its name), and the minutes it waits before a re-page. */
    roster: z.string(),
    repageAfterMinutes: z.number().int().positive(),
    /** Whether the acknowledger is phoned first (false: no longer in the roster, or outside their hours). */
    acknowledgerFirst: z.boolean(),
    at: isoTime,
  }),
  IncidentExhausted: z.object({
    schemaVersion: version,
    incidentId,
    /** Every call the incident placed, over every roster it called. */
    callsPlaced: z.number().int().nonnegative(),
    reason: z.enum(['rounds-used-up', 'no-roster']),
    /** The roster whose rounds ran out (absent for `no-roster`). */
    roster: z.string().optional(),
    /** The roster's `onExhausted` was not followed: not found, already called (a cycle), or too many rosters. */
    handover: z.object({ roster: z.string(), problem: z.enum(['not-found', 'already-called', 'too-many-rosters']) }).optional(),
    at: isoTime,
  }),
  /** A roster's rounds ran out and its `onExhausted` roster is called next: the incident stays open. */
  RosterExhausted: z.object({
    schemaVersion: version,
    incidentId,
    /** The roster whose rounds ran out. */
    roster: z.string(),
    /** Calls placed so far, over every roster. */
    callsPlaced: z.number().int().nonnegative(),
    /** The roster escalation goes on with. */
    next: z.string(),
    at: isoTime,
  }),
  IncidentResolved: z.object({
    schemaVersion: version,
    incidentId,
    /** The call that was ringing when the resolve arrived, if any; it is stopped. */
    activeAttempt: attempt.optional(),
    activeContactId: z.string().optional(),
    at: isoTime,
  }),
  AlertRejected: z.object({
    schemaVersion: version,
    reason: z.string(),
    issues: z.array(z.string()),
    sourceEventId: z.string(),
    source: z.string(),
    /** Index inside an `alertinfo` batch, when one entry of several was bad. */
    index: z.number().int().nonnegative().optional(),
    /** The offending input, truncated to 2 KB so a huge payload cannot blow the 256 KB event limit. */
    input: z.string(),
    at: isoTime,
  }),
} as const;

export type OwnEventName = keyof typeof ownEventSchemas;
export type OwnEventDetail<K extends OwnEventName> = z.infer<(typeof ownEventSchemas)[K]>;
export type CallOutcome = z.infer<typeof callOutcomeSchema>;
export type ResponderRef = z.infer<typeof responderRefSchema>;
export type SilenceScope = z.infer<typeof silenceScopeSchema>;

/** An event about to be published: detail-type plus its detail, typed together. */
export type OwnEvent = { [K in OwnEventName]: { detailType: K; detail: OwnEventDetail<K> } }[OwnEventName];

export const OWN_EVENT_NAMES = Object.keys(ownEventSchemas) as OwnEventName[];

export function ownEvent<K extends OwnEventName>(detailType: K, detail: OwnEventDetail<K>): OwnEvent {
  return { detailType, detail } as OwnEvent;
}

export function parseOwnDetail<K extends OwnEventName>(detailType: K, detail: unknown): OwnEventDetail<K> {
  return ownEventSchemas[detailType].parse(detail) as OwnEventDetail<K>;
}
