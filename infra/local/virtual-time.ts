import type { Clock } from '../../handlers/ports.ts';

interface Timer {
  at: number;
  seq: number;
  fire: () => Promise<void> | void;
}

/**
 * A clock that only moves when told to. Timers (scheduled checks, ringing phones) fire in time
 * order as it advances, each allowed to finish (and the bus to settle) before the next: tests
 * fast-forward through hours of escalation without a single sleep.
 */
export class VirtualTime implements Clock {
  private current: number;
  private seq = 0;
  private timers: Timer[] = [];
  /** Called after every timer fires, e.g. to let the bus deliver what it published. */
  afterEach: () => Promise<void> = async () => undefined;

  constructor(startMs: number) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  at(atMs: number, fire: Timer['fire']): void {
    this.timers.push({ at: Math.max(atMs, this.current), seq: this.seq++, fire });
  }

  pending(): number {
    return this.timers.length;
  }

  nextAt(): number | undefined {
    return this.timers.reduce<number | undefined>((min, t) => (min === undefined || t.at < min ? t.at : min), undefined);
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.current + ms);
  }

  async advanceTo(targetMs: number): Promise<void> {
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers[0];
      if (!next || next.at > targetMs) break;
      this.timers.shift();
      this.current = Math.max(this.current, next.at);
      await next.fire();
      await this.afterEach();
    }
    this.current = Math.max(this.current, targetMs);
  }
}
