import type { NormalisedAlert } from '../events/alerts.ts';
import { DEFAULT_GROUP_BY, type GroupField, type Roster } from './roster.ts';

/**
 * Grouping: which incident an alert belongs to (docs/grouping.md).
 *
 * Alerts with the same group key share one incident while it is live (domain/incident.ts,
 * routeAlert). The key is
 * - the `dedupKey` the alert carried, if it carried one (a CloudWatch alarm's ARN): the tool
 *   knows best what is one problem, whatever the roster's `groupBy`;
 * - otherwise the JSON array of the alert's `groupBy` fields, in the roster's order:
 *   `["XYZ","server1","CPU Utilization"]` for the default system + host + service (exactly
 *   defaultDedupKey in events/alerts.ts, so incident ids and heads made before `groupBy` existed do
 *   not change), `["XYZ","server1"]` for system + host, `["XYZ"]` for the whole system.
 * JSON keeps field values containing separators unambiguous, and keys of different `groupBy`s
 * never equal each other (they hold a different number of strings).
 */

export type GroupedAlert = Pick<NormalisedAlert, 'system' | 'host' | 'service' | 'dedupKey' | 'dedupKeySent'>;

export function groupKey(alert: GroupedAlert, groupBy: readonly GroupField[] = DEFAULT_GROUP_BY): string {
  if (alert.dedupKeySent) return alert.dedupKey;
  return JSON.stringify(groupBy.map((field) => alert[field]));
}

/** How a roster groups its alerts. */
export interface Grouping {
  groupBy: readonly GroupField[];
  /** A firing alert joins a live incident only this long after the incident opened; unset: while it is live. */
  windowMinutes?: number;
}

/**
 * The grouping of the roster that answers for an alert (its system's, else `default`'s, the same
 * roster the incident would open with); with no roster at all, system + host + service and no
 * window.
 */
export function groupingOf(roster: Pick<Roster, 'groupBy' | 'groupWindowMinutes'> | undefined): Grouping {
  const grouping: Grouping = { groupBy: roster?.groupBy ?? DEFAULT_GROUP_BY };
  if (roster?.groupWindowMinutes !== undefined) grouping.windowMinutes = roster.groupWindowMinutes;
  return grouping;
}
