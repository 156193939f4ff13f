import { BUS_NAME } from '../../events/envelope.ts';
import { DEFAULT_BUS_FORWARDS, ROUTES } from '../../events/routes.ts';

/**
 * The physical names a yobidashi stack gives the things that are named per account and region (or
 * per Connect instance), derived from the stack name so that two stacks (say `Yobidashi` and
 * `Staging`) can live side by side in one account:
 *
 *   stack name   prefix               bus                  archive                      schedule groups                                  …
 *   Yobidashi    yobidashi            yobidashi            yobidashi-archive            yobidashi-checks, yobidashi-recurring
 *   Staging      yobidashi-staging    yobidashi-staging    yobidashi-staging-archive    yobidashi-staging-checks, yobidashi-staging-recurring
 *
 * The default stack (`Yobidashi`, in any case) keeps the names it has always had. Any other stack
 * name is lower-cased behind `yobidashi-`; a CloudFormation stack name is already [A-Za-z][A-Za-z0-9-]*,
 * so the result is valid for every service below. Two stack names differing only in case would
 * share names: don't. Everything a handler or the scheduler reaches by name gets it from these
 * (through the constructs and the functions' environment), never from a constant.
 */
export interface PhysicalNames {
  /** What every name below starts with. */
  prefix: string;
  bus: string;
  archive: string;
  /** The catch-all rule's log group. */
  logGroup: string;
  /** The CloudWatch Logs resource policy that lets EventBridge write to the log group (account-wide names). */
  logResourcePolicy: string;
  /** The schedule group of the call checks (handlers may create schedules here only). */
  checkGroup: string;
  /** The schedule group of the recurring sweep, out of the handlers' reach. */
  recurringGroup: string;
  sweepSchedule: string;
  /** The contact flow (names are unique per Connect instance, which two stacks may share). */
  contactFlow: string;
  /** The rule of a route (events/routes.ts) or of a default-bus forward (the default bus is shared). */
  rule(name: string): string;
  /** The CloudWatch dashboard (names are per account and region; up to 255 characters). */
  dashboard: string;
  /** A CloudWatch alarm, e.g. `yobidashi-incident-exhausted` (names are per account and region). */
  alarm(name: string): string;
}

export const DEFAULT_STACK_NAME = 'Yobidashi';

/** AWS's limits on the names derived from the prefix (the longest derived name decides). */
const LIMITS = {
  /** EventBridge rule names: 1-64 of [.-_A-Za-z0-9]. */
  rule: 64,
  /** EventBridge archive names: 1-48. */
  archive: 48,
  /** EventBridge Scheduler group and schedule names: 1-64. */
  scheduler: 64,
  /** Amazon Connect contact flow names: 1-127. */
  contactFlow: 127,
} as const;

const ARCHIVE_SUFFIX = '-archive';
const RECURRING_SUFFIX = '-recurring';

export function prefixFor(stackName: string): string {
  const lower = stackName.toLowerCase();
  return lower === BUS_NAME ? BUS_NAME : `${BUS_NAME}-${lower}`;
}

/** The longest prefix every derived name still fits with. */
export function maxPrefixLength(): number {
  const longestRule = Math.max(...[...ROUTES, ...DEFAULT_BUS_FORWARDS].map((r) => r.name.length));
  return Math.min(LIMITS.rule - 1 - longestRule, LIMITS.archive - ARCHIVE_SUFFIX.length, LIMITS.scheduler - RECURRING_SUFFIX.length, LIMITS.contactFlow - '-call'.length);
}

export function physicalNames(stackName: string): PhysicalNames {
  if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(stackName)) throw new Error(`stack name "${stackName}" must start with a letter and hold only letters, digits and hyphens`);
  const prefix = prefixFor(stackName);
  const max = maxPrefixLength();
  if (prefix.length > max) {
    throw new Error(
      `stack name "${stackName}" is too long: its resources would be named "${prefix}-…", and AWS's name limits (rules 64, archives 48 characters) allow a prefix of ${max} characters, i.e. a stack name of at most ${max - BUS_NAME.length - 1}`,
    );
  }
  return {
    prefix,
    bus: prefix,
    archive: `${prefix}${ARCHIVE_SUFFIX}`,
    logGroup: `/aws/events/${prefix}`,
    logResourcePolicy: `${prefix}-events-to-logs`,
    checkGroup: `${prefix}-checks`,
    recurringGroup: `${prefix}${RECURRING_SUFFIX}`,
    // For the default stack, the name events/delivery.ts gives the sweep (SWEEP_SCHEDULE; tested).
    sweepSchedule: `${prefix}-sweep`,
    contactFlow: `${prefix}-call`,
    rule: (name) => `${prefix}-${name}`,
    dashboard: prefix,
    alarm: (name) => `${prefix}-${name}`,
  };
}
