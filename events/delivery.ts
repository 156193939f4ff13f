/**
 * Who retries what, and for how long: the delivery rules of the AWS deployment, in one place. The
 * CDK stack configures AWS with them and the local EventBridge core enforces them (scaled by the
 * time scale), so the two cannot disagree.
 *
 *   bus rule ──(1)──▶ Lambda async queue ──(2)──▶ handler ──▶ on-failure destination ──(3)──▶ sweep redrive
 *
 * (1) EventBridge retries handing the event to Lambda (throttled Invoke API, service errors) per
 *     the rule target's retry policy, then sends it to the rule's dead-letter queue. A handler that
 *     *throws* is not EventBridge's business: the invoke was asynchronous and succeeded.
 * (2) Lambda retries a function error twice, about one and then two minutes later, within the
 *     maximum event age, then sends a failure record to the function's on-failure destination.
 * (3) The sweep hands failures younger than a day back to their function (handlers are idempotent).
 * Permanent errors (schema, poison payloads) never reach (2): the handler records them and returns.
 */
export const RULE_TARGET_RETRY = { maximumRetryAttempts: 185, maximumEventAgeSeconds: 2 * 3600 } as const;

export const LAMBDA_ASYNC = {
  maximumRetryAttempts: 2,
  maximumEventAgeSeconds: 6 * 3600,
  /** Lambda's documented delays before the first and the second retry of a function error. */
  retryDelaysSeconds: [60, 120],
} as const;

/** EventBridge Scheduler's retries for a schedule whose target (PutEvents on the bus) fails. */
export const SCHEDULER_TARGET_RETRY = { maximumRetryAttempts: 10, maximumEventAgeSeconds: 3600 } as const;

/** The sweep's recurring schedule. */
export const SWEEP_SCHEDULE = { name: 'yobidashi-sweep', expression: 'rate(5 minutes)', detailType: 'SweepDue' } as const;

/**
 * EventBridge's delay before retry `n` (1-based) of a failed handoff: exponential from one second,
 * capped at five minutes, with full jitter (`unit` in [0, 1)).
 */
export function ruleTargetRetryDelayMs(n: number, unit: number): number {
  const cap = Math.min(300_000, 1000 * 2 ** Math.min(n - 1, 20));
  return Math.round(cap / 2 + (cap / 2) * unit);
}
