import { deadLetterNotification, type Look } from '../../domain/notification.ts';
import type { Logger, Notifier } from '../../handlers/ports.ts';
import { appendJournal, readJournal, reportSkipped, rewriteJournal } from './persistence/data-files.ts';
import type { DeadLetter } from './aws/eventbridge/event-bridge-core.ts';
import type { PublishedNotification } from './aws/sns/notification-topic.ts';
import type { Timers } from './clock/timers.ts';

/**
 * Dead letters appear → a notification: the local runtime's counterpart of the stack's dead-letter
 * queue alarms, which publish to the notification topic on AWS. Once per condition, not once per
 * retry:
 *
 * - a letter counts only the first time its event fails on its route: the sweep redriving it and
 *   it failing again is the same failure, already told (the events told are kept in the data dir,
 *   `dead-letter-alarm.jsonl`, for two days: longer than the sweep redrives);
 * - letters that arrive within QUIET_MS of the last dead-letter notification wait and go out
 *   together when the quiet period ends (a storm of failures is one message, not a hundred).
 *
 * At start, letters still waiting whose event was not told are told (a restart between a failure
 * and its notification loses nothing).
 */
export const QUIET_MS = 10 * 60_000;
/** How long an event stays "told": the sweep redrives for a day, so two days covers every retry. */
export const TOLD_FOR_MS = 2 * 24 * 3_600_000;

interface Told {
  key: string;
  at: number;
}
const isTold = (v: unknown): v is Told => typeof v === 'object' && v !== null && typeof (v as Told).key === 'string' && typeof (v as Told).at === 'number';
const keyOf = (letter: Pick<DeadLetter, 'route' | 'envelope'>) => `${letter.route}|${letter.envelope.id}|${letter.envelope['replay-name'] ?? ''}`;

export interface DeadLetterAlarmOptions {
  timers: Timers;
  notifier: Notifier;
  /** The dead letters waiting now. */
  letters: () => readonly DeadLetter[];
  /** What the topic published, newest first (for the last dead-letter notification). */
  published: () => readonly PublishedNotification[];
  look: Look;
  log: Logger;
  /** Where the events already told are kept (absent: in memory only). */
  file?: string;
}

export class DeadLetterAlarm {
  private pending: DeadLetter[] = [];
  private armed = false;
  private lastSentAt: number;
  private readonly told = new Map<string, number>();

  constructor(private readonly options: DeadLetterAlarmOptions) {
    const last = options.published().find((n) => n.attributes.kind === 'dead-letters');
    this.lastSentAt = last ? Date.parse(last.publishedAt) : Number.NEGATIVE_INFINITY;
    if (options.file) {
      const { records, skipped } = readJournal(options.file, isTold);
      reportSkipped(options.log, options.file, skipped);
      const since = options.timers.now() - TOLD_FOR_MS;
      for (const r of records) if (r.at >= since) this.told.set(r.key, r.at);
      rewriteJournal(options.file, [...this.told].map(([key, at]) => ({ key, at })));
    }
    for (const letter of options.letters()) this.kept(letter);
  }

  /** A dead letter was just kept (EventBridgeCore's onDeadLetter). */
  kept(letter: DeadLetter): void {
    // Its event failed on this route before (a redrive failing again): told already, or about to be.
    if (letter.redrives > 0 || this.told.has(keyOf(letter)) || this.pending.some((p) => keyOf(p) === keyOf(letter))) return;
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
        for (const letter of letters) {
          this.told.set(keyOf(letter), now);
          appendJournal(this.options.file, { key: keyOf(letter), at: now } satisfies Told);
        }
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
