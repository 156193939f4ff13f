/**
 * Heartbeat monitors (a dead man's switch) as pure decisions: (monitor, what happened, now) → the
 * new monitor and what to do (docs/heartbeats.md).
 *
 *   (none) ──first heartbeat──▶ up ──deadline passes──▶ late ──next heartbeat──▶ up
 *                                │  ▲                    │
 *                          pause │  │ resume             │ pause / resume keep the incident open
 *                                ▼  │                    ▼
 *                               paused  ◀────────────── paused
 *
 * `lastSeenAt` (the newest heartbeat's time) fences heartbeats: an older or equal one changes
 * nothing, so a late, reordered or duplicated delivery never moves the deadline backwards.
 * `version` is the store's conditional-write token. A change that must tell alert-received (the
 * monitor went silent, or came back) leaves it in `pending`, the monitor's outbox: the handler
 * publishes it and then clears it, and a retried delivery that finds it still there publishes it
 * again (at least once; a second copy joins or finds nothing, as a repeated alert does).
 */

export type MonitorState = 'up' | 'late' | 'paused';

export interface Monitor {
  system: string;
  name: string;
  intervalSeconds: number;
  graceSeconds: number;
  state: MonitorState;
  /** Conditional-write token: every change bumps it. */
  version: number;
  firstSeenAt: number;
  /** The newest heartbeat's time (its event's time, never later than its arrival). */
  lastSeenAt: number;
  /** The bus event that set lastSeenAt: its redelivery repeats the side effects, nothing else. */
  lastEventId: string;
  /** The source of that heartbeat (`nagios`, `yobidashi.http`, …). */
  lastSource: string;
  /** When the monitor is late unless a heartbeat comes (absent while paused or late). */
  deadlineAt?: number;
  /** When its silence opened an incident; cleared when a heartbeat resolves it. */
  missedAt?: number;
  pausedAt?: number;
  pausedBy?: string;
  /** The alert still to publish: `missed` (open) or `recovered` (resolve). */
  pending?: 'missed' | 'recovered';
  updatedAt: number;
}

/** One heartbeat, as the handler read it. */
export interface HeartbeatSeen {
  system: string;
  name: string;
  intervalSeconds: number;
  graceSeconds: number;
  /** The heartbeat's time. */
  seenAt: number;
  eventId: string;
  source: string;
}

/** What the schedule of a monitor should be after a decision: at a time, or none. */
export type ScheduleAction = { kind: 'arm'; atMs: number } | { kind: 'cancel' } | { kind: 'keep' };

export type MonitorDecision =
  | { changed: true; monitor: Monitor; schedule: ScheduleAction }
  /** Nothing to write; `schedule` and `publish` repeat what a crashed delivery may have left undone. */
  | { changed: false; reason: string; schedule: ScheduleAction; publish?: 'missed' | 'recovered' };

const periodMs = (m: Pick<Monitor, 'intervalSeconds' | 'graceSeconds'>): number => (m.intervalSeconds + m.graceSeconds) * 1000;

/** The service of the incident a silent monitor opens: `heartbeat:<name>`. */
export const HEARTBEAT_SERVICE_PREFIX = 'heartbeat:';
export function heartbeatService(name: string): string {
  return `${HEARTBEAT_SERVICE_PREFIX}${name}`;
}

/**
 * The group key of a monitor's incidents, sent as the alert's dedupKey so it is its own incident
 * whatever the roster's groupBy, and its recovery resolves exactly it.
 */
export function heartbeatDedupKey(system: string, name: string): string {
  return `${HEARTBEAT_SERVICE_PREFIX}${JSON.stringify([system, name])}`;
}

/** An incident a silent monitor opened: host is the monitor's name, service `heartbeat:<name>`. */
export function isHeartbeatIncident(subject: { host: string; service: string }): boolean {
  return subject.service === heartbeatService(subject.host);
}

/** A heartbeat arrived (the bus or the HTTP intake). */
export function heartbeatSeen(monitor: Monitor | undefined, heartbeat: HeartbeatSeen, now: number): MonitorDecision {
  const base = {
    intervalSeconds: heartbeat.intervalSeconds,
    graceSeconds: heartbeat.graceSeconds,
    lastSeenAt: heartbeat.seenAt,
    lastEventId: heartbeat.eventId,
    lastSource: heartbeat.source,
    updatedAt: now,
  };
  if (!monitor) {
    const fresh: Monitor = { system: heartbeat.system, name: heartbeat.name, ...base, state: 'up', version: 1, firstSeenAt: heartbeat.seenAt, deadlineAt: heartbeat.seenAt + periodMs(heartbeat) };
    return { changed: true, monitor: fresh, schedule: { kind: 'arm', atMs: fresh.deadlineAt as number } };
  }
  if (heartbeat.seenAt < monitor.lastSeenAt || (heartbeat.seenAt === monitor.lastSeenAt && heartbeat.eventId !== monitor.lastEventId)) {
    // Older than what we know, or another heartbeat of the same instant: the deadline stays.
    return { changed: false, reason: heartbeat.seenAt < monitor.lastSeenAt ? 'older than the last heartbeat' : 'same time as the last heartbeat', schedule: { kind: 'keep' } };
  }
  if (heartbeat.seenAt === monitor.lastSeenAt) {
    // This very heartbeat again (a retried delivery): redo what it may not have finished.
    return { changed: false, reason: 'this heartbeat was recorded already', schedule: scheduleOf(monitor), ...(monitor.pending ? { publish: monitor.pending } : {}) };
  }
  const next: Monitor = { ...monitor, ...base, version: monitor.version + 1 };
  delete next.deadlineAt;
  if (monitor.missedAt !== undefined) {
    // It came back: resolve the incident its silence opened. Also when its silence is still in the
    // outbox: that publish may be under way (told, not yet cleared), and a resolve that finds no
    // incident is only recorded.
    delete next.missedAt;
    next.pending = 'recovered';
  }
  if (monitor.state === 'paused') return { changed: true, monitor: next, schedule: { kind: 'keep' } };
  next.state = 'up';
  next.deadlineAt = heartbeat.seenAt + periodMs(heartbeat);
  return { changed: true, monitor: next, schedule: { kind: 'arm', atMs: next.deadlineAt } };
}

/** What the schedule should be for a monitor as it stands. */
export function scheduleOf(monitor: Monitor | undefined): ScheduleAction {
  if (!monitor || monitor.state === 'paused') return { kind: 'cancel' };
  if (monitor.state === 'up' && monitor.deadlineAt !== undefined) return { kind: 'arm', atMs: monitor.deadlineAt };
  return { kind: 'keep' };
}

/**
 * The monitor's schedule fired (HeartbeatMissed). Decided on the monitor as stored, not on the
 * event: a schedule that fired for an old deadline re-arms the current one, a paused or removed
 * monitor opens nothing, and one already late publishes only what a crashed delivery left.
 */
export function heartbeatDue(monitor: Monitor | undefined, now: number): MonitorDecision {
  if (!monitor) return { changed: false, reason: 'no such monitor (removed)', schedule: { kind: 'cancel' } };
  if (monitor.state === 'paused') return { changed: false, reason: 'paused', schedule: { kind: 'cancel' } };
  if (monitor.state === 'late') return { changed: false, reason: 'late already', schedule: { kind: 'keep' }, ...(monitor.pending ? { publish: monitor.pending } : {}) };
  if (monitor.deadlineAt !== undefined && monitor.deadlineAt > now) return { changed: false, reason: 'seen since', schedule: { kind: 'arm', atMs: monitor.deadlineAt } };
  const late: Monitor = { ...monitor, state: 'late', missedAt: now, pending: 'missed', version: monitor.version + 1, updatedAt: now };
  delete late.deadlineAt;
  return { changed: true, monitor: late, schedule: { kind: 'keep' } };
}

/**
 * A return is told again this long after the heartbeat that brought the monitor back: the silence's
 * alert may be delivered after the return's (EventBridge does not order deliveries; Lambda retries
 * a failed one 1 and 2 minutes later), and an incident it opened then is resolved by the recheck.
 */
export const RETURN_RECHECKS_MS = [60_000, 10 * 60_000] as const;

/**
 * A return's recheck came due: tell the return again only while the monitor is still back from
 * that silence (not late again since, not removed). A return told twice is harmless: a resolve that
 * finds no open incident is only recorded.
 */
export function returnStillHolds(monitor: Monitor | undefined, seenAt: number): boolean {
  return monitor !== undefined && monitor.state !== 'late' && monitor.missedAt === undefined && monitor.lastSeenAt >= seenAt;
}

/** The outbox was published: clear it (only if it is still the one published). */
export function published(monitor: Monitor, what: 'missed' | 'recovered', now: number): Monitor | undefined {
  if (monitor.pending !== what) return undefined;
  const next: Monitor = { ...monitor, version: monitor.version + 1, updatedAt: now };
  delete next.pending;
  return next;
}

/** An operator pauses it: it opens nothing until resumed (an incident it opened already stays). */
export function pauseMonitor(monitor: Monitor, now: number, by: string): Monitor | undefined {
  if (monitor.state === 'paused') return undefined;
  const next: Monitor = { ...monitor, state: 'paused', pausedAt: now, pausedBy: by, version: monitor.version + 1, updatedAt: now };
  delete next.deadlineAt;
  return next;
}

/**
 * Resumed: a full interval and grace from now (a monitor paused for maintenance is not late the
 * moment it is resumed), or late at once if its silence had opened an incident that no heartbeat
 * has resolved yet.
 */
export function resumeMonitor(monitor: Monitor, now: number): Monitor | undefined {
  if (monitor.state !== 'paused') return undefined;
  const next: Monitor = { ...monitor, version: monitor.version + 1, updatedAt: now, state: monitor.missedAt !== undefined ? 'late' : 'up' };
  delete next.pausedAt;
  delete next.pausedBy;
  if (next.state === 'up') next.deadlineAt = Math.max(now, monitor.lastSeenAt) + periodMs(monitor);
  return next;
}

/**
 * The alert a monitor's silence (or its return) is told as, in the flat format alert-received
 * reads: host the monitor's name, service `heartbeat:<name>`, its own dedupKey, lastcheck the last
 * heartbeat's time (what the call reads out), and a message for the timeline.
 */
export function heartbeatAlert(monitor: Monitor, what: 'missed' | 'recovered'): {
  systemname: string;
  host: string;
  service: string;
  status: 'firing' | 'resolved';
  dedupKey: string;
  lastcheck: string;
  message: string;
} {
  const lastSeen = new Date(monitor.lastSeenAt).toISOString();
  return {
    systemname: monitor.system,
    host: monitor.name,
    service: heartbeatService(monitor.name),
    status: what === 'missed' ? 'firing' : 'resolved',
    dedupKey: heartbeatDedupKey(monitor.system, monitor.name),
    lastcheck: lastSeen,
    message:
      what === 'missed'
        ? `no heartbeat from ${monitor.name} since ${lastSeen} (every ${monitor.intervalSeconds} s, grace ${monitor.graceSeconds} s)`
        : `${monitor.name} is sending heartbeats again (${lastSeen})`,
  };
}
