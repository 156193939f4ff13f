import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { TimerOptions, Timers } from './timers.ts';

/**
 * Wall-clock time, optionally running N times faster (`--time-scale N`): every delay in the
 * system — checks, ring timeouts, a phone's `afterSeconds`, silences — passes N times sooner.
 * The mapping is persisted beside the data, so a restarted runtime continues the same timeline
 * instead of jumping back to the real date.
 */
export class ScaledClock implements Timers {
  private baseScaled: number;
  private baseReal: number;
  private readonly handles = new Set<NodeJS.Timeout>();
  onError: (error: unknown) => void = (error) => console.error('timer failed', error);

  constructor(
    readonly scale: number,
    private readonly stateFile?: string,
    private readonly realNow: () => number = () => Date.now(),
  ) {
    if (!(scale > 0)) throw new RangeError('time scale must be a positive number');
    const real = this.realNow();
    this.baseReal = real;
    this.baseScaled = real;
    if (stateFile && existsSync(stateFile)) {
      const saved = JSON.parse(readFileSync(stateFile, 'utf8')) as { baseScaled: number; baseReal: number; scale: number };
      // Continue the saved timeline: time spent stopped passed at the old scale.
      this.baseScaled = saved.baseScaled + (real - saved.baseReal) * saved.scale;
    }
    this.save();
  }

  now(): number {
    return Math.round(this.baseScaled + (this.realNow() - this.baseReal) * this.scale);
  }

  at(atMs: number, fire: () => Promise<void> | void, _options?: TimerOptions): void {
    const delay = Math.max(0, (atMs - this.now()) / this.scale);
    const handle = setTimeout(() => {
      this.handles.delete(handle);
      Promise.resolve()
        .then(fire)
        .catch((error: unknown) => this.onError(error));
    }, delay);
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
    writeFileSync(this.stateFile, JSON.stringify({ baseScaled: this.baseScaled, baseReal: this.baseReal, scale: this.scale }));
  }
}
