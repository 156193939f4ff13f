import type { TimerOptions, Timers } from '../../infra/local/clock/timers.ts';

interface Timer {
  at: number;
  seq: number;
  fire: () => Promise<void> | void;
  background: boolean;
}

/**
 * The tests' driver of the local cloud: a clock that only moves when told to. Timers (deliveries,
 * scheduled checks, ringing phones, retries) fire one at a time in time order as it advances, each
 * allowed to finish before the next: tests fast-forward through hours of escalation without a
 * single sleep. `shuffle` randomises the order of timers due at the same instant, which is how the
 * hostile-delivery tests reorder concurrent work.
 */
export class VirtualTime implements Timers {
  private current: number;
  private seq = 0;
  private readonly heap: Timer[] = [];
  private foreground = 0;
  /** When set, timers due at the same instant fire in random order (a seeded generator in tests). */
  shuffle: (() => number) | undefined;

  constructor(startMs: number) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  at(atMs: number, fire: Timer['fire'], options: TimerOptions = {}): void {
    const seq = this.shuffle ? this.shuffle() : this.seq++;
    const background = options.background === true;
    if (!background) this.foreground++;
    this.push({ at: Math.max(atMs, this.current), seq, fire, background });
  }

  /** Timers that are not recurring background work. */
  pending(): number {
    return this.foreground;
  }

  /** When the next timer is due; background (recurring) timers only if asked. */
  nextAt(options: { background?: boolean } = {}): number | undefined {
    if (options.background) return this.heap[0]?.at;
    let min: number | undefined;
    for (const t of this.heap) if (!t.background && (min === undefined || t.at < min)) min = t.at;
    return min;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.current + ms);
  }

  async advanceTo(targetMs: number): Promise<void> {
    await this.run(targetMs, false);
    this.current = Math.max(this.current, targetMs);
  }

  /**
   * Runs until only background timers are left (or `limitMs`): "leave the system alone until it
   * has nothing more to do". Background timers due on the way fire too; time stops at the last
   * timer fired.
   */
  async settle(limitMs: number): Promise<void> {
    await this.run(limitMs, true);
  }

  private async run(limitMs: number, untilIdle: boolean): Promise<void> {
    for (;;) {
      const next = this.heap[0];
      if (!next || next.at > limitMs || (untilIdle && this.foreground === 0)) break;
      this.pop();
      if (!next.background) this.foreground--;
      this.current = Math.max(this.current, next.at);
      await next.fire();
    }
  }

  // A binary min-heap on (at, seq): a storm test keeps thousands of timers.
  private less(a: Timer, b: Timer): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(timer: Timer): void {
    const h = this.heap;
    h.push(timer);
    for (let i = h.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!this.less(h[i] as Timer, h[parent] as Timer)) break;
      [h[i], h[parent]] = [h[parent] as Timer, h[i] as Timer];
      i = parent;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop();
    if (!last || h.length === 0) return;
    h[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l] as Timer, h[m] as Timer)) m = l;
      if (r < h.length && this.less(h[r] as Timer, h[m] as Timer)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m] as Timer, h[i] as Timer];
      i = m;
    }
  }
}
