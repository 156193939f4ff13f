import { deadLetterNotification, type Look } from '../../domain/notification.ts';
import type { Logger, Notifier } from '../../handlers/ports.ts';
import type { DeadLetter } from './aws/eventbridge/event-bridge-core.ts';
import type { PublishedNotification } from './aws/sns/notification-topic.ts';
import type { Timers } from './clock/timers.ts';

/**
 * Dead letters appear → a notification: the local runtime's counterpart of the stack's dead-letter
 * queue alarms, which publish to the notification topic on AWS. Once per condition, not once per
 * retry:
 *
 * - a letter counts only the first time its event fails on its route (`redrives` 0): the sweep
 *   redriving it and it failing again is the same failure, already told;
 * - letters that arrive within QUIET_MS of the last dead-letter notification wait and go out
 *   together when the quiet period ends (a storm of failures is one message, not a hundred).
 *
 * Durable without state of its own: at start, letters still waiting that failed after the last
 * dead-letter notification on the topic are told (a restart between a failure and its notification
 * loses nothing).
 */
export const QUIET_MS = 10 * 60_000;

export interface DeadLetterAlarmOptions {
  timers: Timers;
  notifier: Notifier;
  /** The dead letters waiting now. */
  letters: () => readonly DeadLetter[];
  /** What the topic published, newest first (for the last dead-letter notification). */
  published: () => readonly PublishedNotification[];
  look: Look;
  log: Logger;
}

export class DeadLetterAlarm {
  private pending: DeadLetter[] = [];
  private armed = false;
  private lastSentAt: number;

  constructor(private readonly options: DeadLetterAlarmOptions) {
    const last = options.published().find((n) => n.attributes.kind === 'dead-letters');
    this.lastSentAt = last ? Date.parse(last.publishedAt) : Number.NEGATIVE_INFINITY;
    const untold = options.letters().filter((l) => l.redrives === 0 && Date.parse(l.failedAt) > this.lastSentAt);
    for (const letter of untold) this.kept(letter);
  }

  /** A dead letter was just kept (EventBridgeCore's onDeadLetter). */
  kept(letter: DeadLetter): void {
    if (letter.redrives > 0) return;
    this.pending.push(letter);
    if (this.armed) return;
    this.armed = true;
    const at = Math.max(this.options.timers.now(), this.lastSentAt + QUIET_MS);
    this.options.timers.at(at, () => this.flush());
  }

  /** Runs with `armed` still set, so letters kept meanwhile wait for the next quiet period's end. */
  private async flush(): Promise<void> {
    const letters = this.pending.splice(0);
    const now = this.options.timers.now();
    if (letters.length) {
      const notification = deadLetterNotification({
        letters: letters.map((l) => ({ id: l.id, route: l.route, detailType: l.envelope['detail-type'], eventId: l.envelope.id, error: l.error, failedAt: l.failedAt })),
        waiting: this.options.letters().length,
        look: this.options.look,
        at: now,
      });
      try {
        await this.options.notifier.notify(notification);
        this.lastSentAt = now;
      } catch (error) {
        // The topic is this process: failing here means it is stopping. Try again a minute later.
        this.options.log.error('could not publish the dead-letter notification; trying again in a minute', { error });
        this.pending.unshift(...letters);
        this.options.timers.at(now + 60_000, () => this.flush());
        return;
      }
    }
    if (this.pending.length) this.options.timers.at(Math.max(this.options.timers.now(), this.lastSentAt + QUIET_MS), () => this.flush());
    else this.armed = false;
  }
}
