import * as z from 'zod';

/**
 * What a monitor puts on the bus to say it is alive (a dead man's switch): detail-type `Heartbeat`,
 * any source but yobidashi's own (`aws events put-events`, or `POST /heartbeats` on the HTTP intake,
 * source `yobidashi.http`). The first heartbeat of a (system, name) registers the monitor; each one
 * re-arms it (docs/heartbeats.md).
 *
 *   {"system": "XYZ", "name": "nagios", "intervalSeconds": 60, "graceSeconds": 120}
 */
export const HEARTBEAT_DETAIL_TYPE = 'Heartbeat';
/** The source of the alerts a monitor's silence (or return) is told as: alert-received opens and resolves. */
export const HEARTBEAT_ALERT_SOURCE = 'yobidashi.heartbeat';

/** A minute: the Scheduler fires within one, and a heartbeat more often than that costs without telling more. */
export const MIN_INTERVAL_SECONDS = 60;
/** A week: the longest silence a monitor may keep between two heartbeats (a weekly job). */
export const MAX_INTERVAL_SECONDS = 7 * 24 * 3600;
/** Grace when the heartbeat names none: a minute, so a heartbeat that leaves a little late is not an incident. */
export const DEFAULT_GRACE_SECONDS = 60;
/** The longest grace: a day. */
export const MAX_GRACE_SECONDS = 24 * 3600;

/**
 * Names become table keys, schedule names (hashed) and the group key of the incident a missed
 * heartbeat opens (`heartbeat:["XYZ","nagios"]`, at most 512 characters as any dedupKey): bounded,
 * and without control characters (which would also reach the spoken text).
 */
export const MAX_SYSTEM_CHARS = 128;
export const MAX_NAME_CHARS = 100;
const NO_CONTROL = /^[^\u0000-\u001f\u007f-\u009f]*$/;
const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max).regex(NO_CONTROL, 'must not hold control characters');

export const heartbeatSystemSchema = text(MAX_SYSTEM_CHARS);
export const heartbeatNameSchema = text(MAX_NAME_CHARS);

export const heartbeatDetailSchema = z.object({
  system: heartbeatSystemSchema,
  name: heartbeatNameSchema,
  intervalSeconds: z.number().int('must be whole seconds').min(MIN_INTERVAL_SECONDS).max(MAX_INTERVAL_SECONDS),
  graceSeconds: z.number().int('must be whole seconds').min(0).max(MAX_GRACE_SECONDS).default(DEFAULT_GRACE_SECONDS),
});

export type HeartbeatDetail = z.infer<typeof heartbeatDetailSchema>;
