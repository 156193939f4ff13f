import { createHash } from 'node:crypto';
import { ownEvent, parseOwnDetail, SCHEMA_VERSION } from '../events/catalog.ts';
import { OWN_SOURCE, type Envelope } from '../events/envelope.ts';
import { HEARTBEAT_ALERT_SOURCE, HEARTBEAT_DETAIL_TYPE, heartbeatDetailSchema } from '../events/heartbeats.ts';
import {
  heartbeatAlert,
  heartbeatDue,
  heartbeatSeen,
  published,
  RETURN_RECHECKS_MS,
  returnStillHolds,
  scheduleOf,
  type Monitor,
  type MonitorDecision,
  type ScheduleAction,
} from '../domain/heartbeat.ts';
import { onEvent } from './lib/deps.ts';
import type { DepsFor } from './needs.ts';
import type { Logger } from './ports.ts';

type Deps = DepsFor<'heartbeat'>;

/** The source of the alerts a monitor's silence (or return) is told as (events/heartbeats.ts). */
export { HEARTBEAT_ALERT_SOURCE };

const MAX_RACES = 8;

/**
 * The monitor's one schedule (Scheduler names: 64 characters of [0-9a-zA-Z-_.]): `hb-`, a readable
 * slug of system and name, and 16 hex digits of SHA-256 of both, so two monitors never share one.
 */
export function monitorScheduleName(system: string, name: string): string {
  const hash = createHash('sha256').update(JSON.stringify([system, name])).digest('hex').slice(0, 16);
  const slug = `${system}-${name}`.replace(/[^0-9a-zA-Z-_.]+/g, '_').slice(0, 64 - 'hb-'.length - 1 - hash.length);
  return `hb-${slug}-${hash}`;
}

/**
 * Heartbeat monitors (docs/heartbeats.md), one handler for the three events that move them:
 *
 * - `Heartbeat` (a monitor, any source but ours): register or re-arm the monitor; if its silence
 *   had opened an incident, resolve it (a resolved AlertReceived). The schedule is moved before
 *   the conditional write, so whichever heartbeat writes last also moved the schedule last.
 * - `HeartbeatMissed` (the monitor's schedule): decided on the stored monitor: still not seen and
 *   not paused → late, and an AlertReceived opens the incident (alert-received: dedup, silences,
 *   grouping, the roster, as for any alert).
 * - `HeartbeatChanged` (an operator paused, resumed or removed it): the schedule is made to match.
 */
export function heartbeatHandler(deps: Deps) {
  return onEvent('heartbeat', deps, async (envelope, log) => {
    switch (envelope['detail-type']) {
      case HEARTBEAT_DETAIL_TYPE:
        if (envelope.source === OWN_SOURCE) return log.warn('a Heartbeat with our own source is ignored', { source: envelope.source });
        return onHeartbeat(deps, envelope, log);
      case 'HeartbeatMissed': {
        const missed = parseOwnDetail('HeartbeatMissed', envelope.detail);
        return onDue(deps, missed.system, missed.name, log);
      }
      case 'HeartbeatRecheck': {
        const recheck = parseOwnDetail('HeartbeatRecheck', envelope.detail);
        const monitor = await deps.store.getMonitor(recheck.system, recheck.name);
        if (!monitor || !returnStillHolds(monitor, Date.parse(recheck.seenAt))) {
          return log.info('heartbeat return recheck: nothing to tell (late again, or removed)', { system: recheck.system, monitor: recheck.name });
        }
        await deps.bus.publish([{ source: HEARTBEAT_ALERT_SOURCE, detailType: 'AlertReceived', detail: heartbeatAlert(monitor, 'recovered') }]);
        return log.info('heartbeat return told again (an incident its silence opened after the return is resolved)', { system: recheck.system, monitor: recheck.name });
      }
      case 'HeartbeatChanged': {
        const changed = parseOwnDetail('HeartbeatChanged', envelope.detail);
        const monitor = await deps.store.getMonitor(changed.system, changed.name);
        log.info('heartbeat monitor changed by an operator', { system: changed.system, monitor: changed.name, change: changed.change, by: changed.by });
        return applySchedule(deps, changed.system, changed.name, scheduleOf(monitor));
      }
      default:
        return log.warn('not a heartbeat event', { detailType: envelope['detail-type'] });
    }
  });
}

async function onHeartbeat(deps: Deps, envelope: Envelope, log: Logger): Promise<void> {
  const detail = heartbeatDetailSchema.parse(envelope.detail);
  const now = deps.clock.now();
  const sent = Date.parse(envelope.time);
  // The heartbeat's own time orders heartbeats; one dated ahead of the clock counts as now.
  const seenAt = Number.isFinite(sent) ? Math.min(sent, now) : now;
  const heartbeat = { ...detail, seenAt, eventId: envelope.id, source: envelope.source };
  let moved = false;
  for (let race = 0; race < MAX_RACES; race++) {
    const monitor = await deps.store.getMonitor(detail.system, detail.name);
    const decision = heartbeatSeen(monitor, heartbeat, now);
    if (!decision.changed) {
      // Lost a race to a newer heartbeat after moving the schedule: put it back where that one wants it.
      await redo(deps, detail.system, detail.name, monitor, moved ? { ...decision, schedule: scheduleOf(monitor) } : decision, log);
      log.info('heartbeat changes nothing', { system: detail.system, monitor: detail.name, reason: decision.reason });
      return;
    }
    await applySchedule(deps, detail.system, detail.name, decision.schedule);
    moved = decision.schedule.kind !== 'keep';
    if (!(await deps.store.saveMonitor(decision.monitor, monitor?.version ?? 0))) continue;
    log.info(monitor ? 'heartbeat' : 'heartbeat monitor registered', {
      system: detail.system,
      monitor: detail.name,
      state: decision.monitor.state,
      deadline: decision.monitor.deadlineAt === undefined ? undefined : new Date(decision.monitor.deadlineAt).toISOString(),
    });
    if (decision.monitor.pending) await tell(deps, decision.monitor, decision.monitor.pending, log);
    return;
  }
  throw new Error(`heartbeat ${detail.system}/${detail.name}: gave up after ${MAX_RACES} races`);
}

async function onDue(deps: Deps, system: string, name: string, log: Logger): Promise<void> {
  for (let race = 0; race < MAX_RACES; race++) {
    const monitor = await deps.store.getMonitor(system, name);
    const decision = heartbeatDue(monitor, deps.clock.now());
    if (!decision.changed) {
      log.info('heartbeat deadline: nothing opens', { system, monitor: name, reason: decision.reason });
      return redo(deps, system, name, monitor, decision, log);
    }
    if (!(await deps.store.saveMonitor(decision.monitor, monitor?.version ?? 0))) continue;
    log.warn('heartbeat monitor went silent: opening an incident', { system, monitor: name, lastSeenAt: new Date(decision.monitor.lastSeenAt).toISOString() });
    return tell(deps, decision.monitor, 'missed', log);
  }
  throw new Error(`heartbeat deadline ${system}/${name}: gave up after ${MAX_RACES} races`);
}

/** What a decision that changed nothing still asks for: the schedule, and an outbox left unpublished. */
async function redo(deps: Deps, system: string, name: string, monitor: Monitor | undefined, decision: Extract<MonitorDecision, { changed: false }>, log: Logger): Promise<void> {
  await applySchedule(deps, system, name, decision.schedule);
  if (monitor && decision.publish) await tell(deps, monitor, decision.publish, log);
}

async function applySchedule(deps: Deps, system: string, name: string, action: ScheduleAction): Promise<void> {
  if (action.kind === 'keep') return;
  const scheduleName = monitorScheduleName(system, name);
  if (action.kind === 'cancel') return deps.scheduler.cancel(scheduleName);
  const event = ownEvent('HeartbeatMissed', { schemaVersion: SCHEMA_VERSION, system, name, deadline: new Date(action.atMs).toISOString() });
  await deps.scheduler.reschedule(scheduleName, action.atMs, event);
}

/**
 * Publishes the monitor's outbox as an AlertReceived, then clears it (unless it changed meanwhile).
 * A return also arms its rechecks first (named by the heartbeat's time: a retried delivery arms the same).
 */
async function tell(deps: Deps, monitor: Monitor, what: 'missed' | 'recovered', log: Logger): Promise<void> {
  if (what === 'recovered') await armReturnRechecks(deps, monitor);
  await deps.bus.publish([{ source: HEARTBEAT_ALERT_SOURCE, detailType: 'AlertReceived', detail: heartbeatAlert(monitor, what) }]);
  log.info(what === 'missed' ? 'silence told: an incident opens' : 'return told: its incident resolves', { system: monitor.system, monitor: monitor.name });
  let current: Monitor | undefined = monitor;
  for (let race = 0; race < MAX_RACES && current; race++) {
    const next = published(current, what, deps.clock.now());
    if (!next || (await deps.store.saveMonitor(next, current.version))) return;
    current = await deps.store.getMonitor(monitor.system, monitor.name);
  }
}

/** `hbr-`, 16 hex digits of the monitor's hash, the heartbeat's second and the recheck's index: under 40 characters. */
export function returnRecheckName(system: string, name: string, seenAt: number, index: number): string {
  const hash = createHash('sha256').update(JSON.stringify([system, name])).digest('hex').slice(0, 16);
  return `hbr-${hash}-${Math.floor(seenAt / 1000)}-${index}`;
}

async function armReturnRechecks(deps: Deps, monitor: Monitor): Promise<void> {
  const now = deps.clock.now();
  const detail = { schemaVersion: SCHEMA_VERSION, system: monitor.system, name: monitor.name, seenAt: new Date(monitor.lastSeenAt).toISOString() };
  for (const [index, afterMs] of RETURN_RECHECKS_MS.entries()) {
    // From the heartbeat's time, never in the past (a heartbeat dated well before it arrived).
    const dueMs = Math.max(now + 1_000, monitor.lastSeenAt + afterMs);
    await deps.scheduler.scheduleOnce(returnRecheckName(monitor.system, monitor.name, monitor.lastSeenAt, index), dueMs, ownEvent('HeartbeatRecheck', detail));
  }
}
