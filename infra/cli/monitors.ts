import { SCHEMA_VERSION, type OwnEventDetail } from '../../events/catalog.ts';
import { heartbeatDedupKey, pauseMonitor, resumeMonitor, type Monitor } from '../../domain/heartbeat.ts';
import type { Store } from '../../handlers/ports.ts';

/**
 * Heartbeat monitors as operators see and change them, the same on both back ends (the local API,
 * and the CLI against a stack): the view, and pause / resume / remove. A change is written to the
 * monitor (conditional on its version) and then announced as HeartbeatChanged, on which the
 * heartbeat handler makes the monitor's schedule match: operators never touch the Scheduler.
 */

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

export interface MonitorRow {
  system: string;
  name: string;
  state: Monitor['state'];
  intervalSeconds: number;
  graceSeconds: number;
  lastSeenAt: string;
  firstSeenAt: string;
  /** The source of the last heartbeat. */
  lastSource: string;
  /** When it is late unless a heartbeat comes (absent while paused or late). */
  nextDeadline?: string;
  /** When its silence opened an incident, and that incident (while no heartbeat has resolved it). */
  missedAt?: string;
  incidentId?: string;
  pausedAt?: string;
  pausedBy?: string;
}

export function monitorRow(monitor: Monitor, incidentId?: string): MonitorRow {
  const row: MonitorRow = {
    system: monitor.system,
    name: monitor.name,
    state: monitor.state,
    intervalSeconds: monitor.intervalSeconds,
    graceSeconds: monitor.graceSeconds,
    lastSeenAt: iso(monitor.lastSeenAt) as string,
    firstSeenAt: iso(monitor.firstSeenAt) as string,
    lastSource: monitor.lastSource,
  };
  if (monitor.deadlineAt !== undefined) row.nextDeadline = iso(monitor.deadlineAt) as string;
  if (monitor.missedAt !== undefined) row.missedAt = iso(monitor.missedAt) as string;
  if (incidentId !== undefined) row.incidentId = incidentId;
  if (monitor.pausedAt !== undefined) row.pausedAt = iso(monitor.pausedAt) as string;
  if (monitor.pausedBy !== undefined) row.pausedBy = monitor.pausedBy;
  return row;
}

type MonitorStore = Pick<Store, 'getMonitor' | 'saveMonitor' | 'deleteMonitor' | 'getHead'>;

/** The row, with the incident its silence opened (the head of the monitor's group key) while it is unresolved. */
export async function monitorRowOf(store: Pick<Store, 'getHead'>, monitor: Monitor): Promise<MonitorRow> {
  const head = monitor.missedAt !== undefined ? await store.getHead(heartbeatDedupKey(monitor.system, monitor.name)) : undefined;
  return monitorRow(monitor, head?.incidentId);
}

export type MonitorChange = 'paused' | 'resumed' | 'removed';

/**
 * Pauses, resumes or removes a monitor; undefined when there is no such monitor. Pausing a paused
 * monitor (or resuming a running one) changes nothing and is not an error. A removed monitor comes
 * back with its next heartbeat: remove it once its sender has stopped.
 */
export async function changeMonitor(
  store: MonitorStore,
  system: string,
  name: string,
  change: MonitorChange,
  now: number,
  by: string,
): Promise<{ monitor?: Monitor; changed: boolean } | undefined> {
  for (let race = 0; race < 8; race++) {
    const monitor = await store.getMonitor(system, name);
    if (!monitor) return undefined;
    if (change === 'removed') {
      if (await store.deleteMonitor(system, name, monitor.version)) return { changed: true };
      continue;
    }
    const next = change === 'paused' ? pauseMonitor(monitor, now, by) : resumeMonitor(monitor, now);
    if (!next) return { monitor, changed: false };
    if (await store.saveMonitor(next, monitor.version)) return { monitor: next, changed: true };
  }
  throw new Error(`monitor ${system}/${name} kept changing under us; try again`);
}

/** The announcement of a change (the heartbeat handler moves or deletes the schedule on it). */
export function monitorChanged(system: string, name: string, change: MonitorChange, by: string, now: number): OwnEventDetail<'HeartbeatChanged'> {
  return { schemaVersion: SCHEMA_VERSION, system, name, change, by, at: new Date(now).toISOString() };
}
