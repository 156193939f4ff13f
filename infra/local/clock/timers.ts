import type { Clock } from '../../../handlers/ports.ts';

/**
 * What the local cloud runs on: a clock and timers. Two drivers implement it: the scaled wall clock
 * of `npm start` (infra/local/clock/scaled-clock.ts) and the virtual time of the scenario tests
 * (test/harness/virtual-time.ts). Everything else (the EventBridge core, the Scheduler, the
 * Connect simulator and its quotas, faults) is the same code on either.
 */
export interface TimerOptions {
  /**
   * A timer that recurs for ever (the sweep's rate schedule): virtual time does not wait for it
   * when it fast-forwards "until nothing is left to do".
   */
  background?: boolean;
}

export interface Timers extends Clock {
  at(atMs: number, fire: () => Promise<void> | void, options?: TimerOptions): void;
}
