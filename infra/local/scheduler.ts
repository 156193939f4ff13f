import type { OwnEvent } from '../../events/catalog.ts';
import type { Bus, Scheduler } from '../../handlers/ports.ts';
import type { VirtualTime } from './virtual-time.ts';

export interface ScheduleEntry {
  name: string;
  atMs: number;
  event: OwnEvent;
  state: 'pending' | 'fired' | 'cancelled';
}

/**
 * One-time schedules on virtual time, with EventBridge Scheduler's naming rule (a name exists once
 * in its group) and ActionAfterCompletion DELETE (a fired schedule's name can be used again).
 */
export class VirtualScheduler implements Scheduler {
  readonly entries = new Map<string, ScheduleEntry>();
  readonly history: ScheduleEntry[] = [];

  constructor(
    private readonly time: VirtualTime,
    private readonly bus: Bus,
  ) {}

  async scheduleOnce(name: string, atMs: number, event: OwnEvent): Promise<void> {
    if (this.entries.has(name)) return;
    const entry: ScheduleEntry = { name, atMs, event, state: 'pending' };
    this.entries.set(name, entry);
    this.history.push(entry);
    this.time.at(atMs, async () => {
      if (entry.state !== 'pending') return;
      entry.state = 'fired';
      this.entries.delete(name);
      await this.bus.publish([event]);
    });
  }

  async cancel(name: string): Promise<void> {
    const entry = this.entries.get(name);
    if (!entry) return;
    entry.state = 'cancelled';
    this.entries.delete(name);
  }
}
