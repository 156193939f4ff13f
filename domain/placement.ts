/**
 * Placing a call when Amazon Connect says "not now". Connect starts about 2 outbound calls a
 * second (burst 5) and holds 10 concurrent calls per instance; in an alert storm most placements
 * are turned away at first. Such a refusal is not an outcome: the call is tried again, paced with
 * capped exponential backoff and jitter (so a storm's retries spread out instead of arriving
 * together), for as long as the incident is open. Only a refusal about the number itself ends the
 * attempt as `failed` (the Connect adapter raises those as CallRejectedError).
 */

/** Connect's answers that mean "at capacity, try later"; anything else unexpected is retried too, loudly. */
export const CAPACITY_REFUSALS: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'LimitExceededException',
  'ServiceQuotaExceededException',
  'InternalServiceException',
  'InternalServerException',
  'ServiceUnavailableException',
]);

export function isCapacityRefusal(code: string, httpStatus?: number): boolean {
  return CAPACITY_REFUSALS.has(code) || (httpStatus !== undefined && httpStatus >= 500);
}

export const PLACEMENT_RETRY = {
  /** After the first refusal the next try waits 7.5–15 s, then 15–30 s, 30–60 s, then 60–120 s each time. */
  baseMs: 7_500,
  capMs: 120_000,
} as const;

/**
 * How long to wait after the `tries`-th refusal. `jitter` in [0, 1) spreads the wait over its upper
 * half ("equal jitter"): never sooner than half the backoff, so a refusal is not hammered at once.
 */
export function placementRetryDelayMs(tries: number, jitter: number): number {
  const exponent = Math.max(0, Math.min(tries, 16));
  const backoff = Math.min(PLACEMENT_RETRY.capMs, PLACEMENT_RETRY.baseMs * 2 ** exponent);
  const unit = Math.min(Math.max(jitter, 0), 0.999_999);
  return Math.round(backoff / 2 + (backoff / 2) * unit);
}
