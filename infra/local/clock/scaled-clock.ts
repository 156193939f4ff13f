import type { Logger } from '../../../handlers/ports.ts';
import { readState, writeAtomically } from '../persistence/data-files.ts';
import type { TimerOptions, Timers } from './timers.ts';

/**
 * Wall-clock time, optionally running N times faster (`--time-scale N`): every delay in the
 * system — checks, ring timeouts, a phone's `afterSeconds`, silences — passes N times sooner.
 * The mapping is persisted beside the data (written atomically), so a restarted runtime continues
 * the same timeline instead of jumping back to the real date; a missing or damaged file starts a
 * fresh timeline at the real date, and says so.
 */
interface SavedClock {
  baseScaled: number;
  baseReal: number;
  scale: number;
}
const isSavedClock = (v: unknown): v is SavedClock =>
  v !== null && typeof v === 'object' && ['baseScaled', 'baseReal', 'scale'].every((k) => Number.isFinite((v as Record<string, unknown>)[k])) && (v as SavedClock).scale > 0;

/** setTimeout fires at once for delays past 2^31-1 ms (~24.8 days): longer waits are taken in steps. */
const MAX_TIMER_MS = 2_147_483_647;
export class ScaledClock implements Timers {
  private baseScaled: number;
  private baseReal: number;
  private readonly handles = new Set<NodeJS.Timeout>();
  onError: (error: unknown) => void = (error) => console.error('timer failed', error);

  constructor(
    readonly scale: number,
    private readonly stateFile?: string,
    private readonly realNow: () => number = () => Date.now(),
    log?: Logger,
  ) {
    if (!(scale > 0)) throw new RangeError('time scale must be a positive number');
    const real = this.realNow();
    this.baseReal = real;
    this.baseScaled = real;
    const saved = stateFile ? readState<SavedClock | undefined>(stateFile, (v): v is SavedClock | undefined => isSavedClock(v), undefined, log) : undefined;
    // Continue the saved timeline: time spent stopped passed at the old scale.
    if (saved) this.baseScaled = saved.baseScaled + (real - saved.baseReal) * saved.scale;
    this.save();
  }

  now(): number {
    return Math.round(this.baseScaled + (this.realNow() - this.baseReal) * this.scale);
  }

  at(atMs: number, fire: () => Promise<void> | void, _options?: TimerOptions): void {
    const delay = Math.max(0, (atMs - this.now()) / this.scale);
    const handle = setTimeout(() => {
      this.handles.delete(handle);
      if (delay > MAX_TIMER_MS) return this.at(atMs, fire, _options);
      Promise.resolve()
        .then(fire)
        .catch((error: unknown) => this.onError(error));
    }, Math.min(delay, MAX_TIMER_MS));
    this.handles.add(handle);
  }

  /** Real milliseconds for a span of scaled time. */
  realMs(scaledMs: number): number {
    return scaledMs / this.scale;
  }

  stop(): void {
    for (const handle of this.handles) clearTimeout(handle);
    this.handles.clear();
    this.save();
  }

  private save(): void {
    if (!this.stateFile) return;
    writeAtomically(this.stateFile, JSON.stringify({ baseScaled: this.baseScaled, baseReal: this.baseReal, scale: this.scale } satisfies SavedClock));
  }
}
