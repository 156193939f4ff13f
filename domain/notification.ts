import { isLineWait, type IncidentCall } from './incident.ts';
import { wallClockAt } from './time.ts';

/**
 * Notifications: what a person hears when the on-call process itself failed — nobody answered
 * (the incident is exhausted, or a roster's rounds ran out and the next roster is called), a call
 * that cannot be placed, deliveries that failed every retry. Pure: the handler (or the runtime)
 * gathers the facts, these functions say them — in an email (`text`), a text message (`short`), a
 * chat channel (`chat`, AWS Chatbot's custom notification content) and as filterable attributes.
 * Names only, never phone numbers.
 */

export type NotificationKind = 'incident-exhausted' | 'roster-exhausted' | 'placement-failing' | 'dead-letters';

export interface Notification {
  /** The condition it reports, and its idempotency key: one notification per condition. */
  notificationId: string;
  kind: NotificationKind;
  /** One line of printable ASCII under 100 characters: what SNS accepts as an email subject. */
  subject: string;
  /** For people, in an email, the console or the runtime's output. */
  text: string;
  /** For a phone (SMS): at most SHORT_MAX characters. */
  short: string;
  /** A chat channel's card: AWS Chatbot (Amazon Q Developer in chat applications) custom notification content. */
  chat: { title: string; description: string; nextSteps: string[]; keywords: string[] };
  /** For subscription filter policies: every value non-empty. */
  attributes: Record<string, string>;
  incidentId?: string;
  system?: string;
  at: number;
}

export const SUBJECT_MAX = 99;
export const SHORT_MAX = 160;
/** Calls listed one per line; more are summed up. */
export const MAX_LISTED_CALLS = 30;

/**
 * A placement that keeps failing is worth a person's attention after this many refusals in a row
 * for one call: with the placement backoff (domain/placement.ts: 7.5-15 s, 15-30 s, 30-60 s, then
 * 60-120 s) that is 3 to 6 minutes of nobody's phone ringing. The routing table filters on it too.
 */
export const PLACEMENT_FAILING = { tries: 5 } as const;

export const notificationIds = {
  exhausted: (incidentId: string) => `exhausted:${incidentId}`,
  handover: (incidentId: string, to: string) => `handover:${incidentId}:${to}`,
  placement: (incidentId: string, attempt: number) => `placement:${incidentId}:${attempt}`,
  deadLetters: (firstLetterId: string) => `dead-letters:${firstLetterId}`,
};

export interface NotifiedIncident {
  incidentId: string;
  system: string;
  host: string;
  service: string;
  openedAt: number;
  alert: { message?: string; severity?: string };
  /** Times are written in this zone (the roster's alertTimezone), with UTC beside them. */
  timeZone: string;
}

export interface NotifiedCall {
  attempt: number;
  responder: string;
  placedAt: number;
  outcome?: string;
}

/** How the reader looks at an incident: a CLI command prefix such as `npx yobidashi --stack Yobidashi`. */
export interface Look {
  cli: string;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** `2026-11-24 10:00:05 Asia/Tokyo (01:00:05 UTC)`. */
export function when(ms: number, timeZone: string): string {
  const local = wallClockAt(timeZone, ms);
  const utc = new Date(ms);
  const date = `${local.year}-${pad2(local.month)}-${pad2(local.day)}`;
  const time = `${pad2(local.hour)}:${pad2(local.minute)}:${pad2(local.second)}`;
  if (timeZone === 'UTC') return `${date} ${time} UTC`;
  return `${date} ${time} ${timeZone} (${pad2(utc.getUTCHours())}:${pad2(utc.getUTCMinutes())}:${pad2(utc.getUTCSeconds())} UTC)`;
}

function clock(ms: number, timeZone: string): string {
  const t = wallClockAt(timeZone, ms);
  return `${pad2(t.hour)}:${pad2(t.minute)}:${pad2(t.second)}`;
}

const OUTCOME_WORDS: Record<string, string> = {
  acknowledged: 'acknowledged',
  skipped: 'passed it on (3)',
  silenced: 'silenced',
  'no-answer': 'no answer',
  busy: 'busy',
  'answered-no-input': 'answered, pressed nothing',
  failed: 'call failed',
  timeout: 'timed out',
};

const isPrintableAscii = (text: string) => /^[\x20-\x7e]*$/.test(text);

/** One line, printable ASCII, at most SUBJECT_MAX: the named form when it fits those rules, else the fallback. */
export function asciiSubject(named: string, fallback: string): string {
  const one = named.replace(/\s+/g, ' ').trim();
  const chosen = isPrintableAscii(one) ? one : fallback;
  return chosen.length <= SUBJECT_MAX ? chosen : `${chosen.slice(0, SUBJECT_MAX - 3)}...`;
}

function shorten(text: string, max: number): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length <= max ? one : `${one.slice(0, max - 1)}…`;
}

const subjectOf = (i: NotifiedIncident) => `${i.system} ${i.host} ${i.service}`;

function lookCommand(look: Look, incidentId: string): string {
  return `${look.cli} incidents ${incidentId}`;
}

/** The facts block: aligned `Name:  value` lines, absent values left out. */
function facts(rows: [string, string | undefined][]): string {
  const shown = rows.filter((r): r is [string, string] => r[1] !== undefined && r[1] !== '');
  const width = Math.max(...shown.map(([k]) => k.length)) + 2;
  return shown.map(([k, v]) => `${`${k}:`.padEnd(width)}${v}`).join('\n');
}

function callLines(calls: readonly NotifiedCall[], timeZone: string): string[] {
  const ordered = [...calls].sort((a, b) => a.attempt - b.attempt);
  const width = Math.max(...ordered.map((c) => c.responder.length));
  const lines = ordered.slice(0, MAX_LISTED_CALLS).map((c) => `  ${String(c.attempt).padStart(3)}. ${clock(c.placedAt, timeZone)}  ${c.responder.padEnd(width)}  ${OUTCOME_WORDS[c.outcome ?? ''] ?? c.outcome ?? 'no outcome recorded'}`);
  if (ordered.length > MAX_LISTED_CALLS) lines.push(`  … and ${ordered.length - MAX_LISTED_CALLS} more`);
  return ['', 'Call by call:', ...lines];
}

/**
 * "9, to Aki (3), Ben (3), Cho (3)". An attempt without a call record was never placed (it gave
 * up waiting for a responder busy on another call, or Connect refused the number): said so.
 */
function callsFact(callsPlaced: number, calls: readonly NotifiedCall[]): string {
  const who = whoWasCalled(calls);
  const unplaced = callsPlaced - calls.length;
  return `${callsPlaced}${who ? `, to ${who}` : ''}${unplaced > 0 ? ` (${unplaced} not placed: the responder was on another call, or the number was refused)` : ''}`;
}

/** "Aki (3), Ben (3), Cho (3)": everyone called, in the order first called. */
export function whoWasCalled(calls: readonly NotifiedCall[]): string {
  const counts = new Map<string, number>();
  for (const c of [...calls].sort((a, b) => a.attempt - b.attempt)) counts.set(c.responder, (counts.get(c.responder) ?? 0) + 1);
  return [...counts].map(([name, n]) => `${name} (${n})`).join(', ');
}

function alertLine(i: NotifiedIncident): string | undefined {
  const { message, severity } = i.alert;
  if (message === undefined && severity === undefined) return undefined;
  return [message, severity === undefined ? undefined : `severity ${severity}`].filter(Boolean).join(' — ');
}

/** The rows every incident's notification starts its facts with: what failed, and since when. */
function incidentFacts(i: NotifiedIncident): [string, string | undefined][] {
  return [
    ['System', i.system],
    ['Host', i.host],
    ['Service', i.service],
    ['Alert', alertLine(i)],
    ['Opened', when(i.openedAt, i.timeZone)],
  ];
}

/** SNS refuses an empty attribute value: those are left out. */
function attributes(kind: NotificationKind, severity: 'critical' | 'warning', incident?: NotifiedIncident, extra: Record<string, string> = {}): Record<string, string> {
  const all: Record<string, string | undefined> = { kind, severity, incidentId: incident?.incidentId, system: incident?.system, host: incident?.host, service: incident?.service, ...extra };
  return Object.fromEntries(Object.entries(all).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
}

const plural = (n: number, word: string) => `${n} ${n === 1 ? word : word.endsWith('y') ? `${word.slice(0, -1)}ies` : `${word}s`}`;

/** IncidentExhausted: nobody answered (or there was no roster at all). Nobody is called again for it. */
export function exhaustedNotification(input: {
  incident: NotifiedIncident;
  calls: readonly NotifiedCall[];
  exhausted: { callsPlaced: number; reason: 'rounds-used-up' | 'no-roster'; roster?: string; handover?: { roster: string; problem: 'not-found' | 'already-called' | 'too-many-rosters' } };
  look: Look;
  at: number;
}): Notification {
  const { incident: i, calls, exhausted: e, look, at } = input;
  const noRoster = e.reason === 'no-roster';
  const headline = noRoster ? `No roster: nobody was called for ${subjectOf(i)}` : `Nobody answered: ${subjectOf(i)}`;
  const summary = noRoster
    ? `yobidashi received an alert for system ${i.system}, but there is no roster for it and no default roster: nobody was called. Import a roster (yobidashi roster import FILE).`
    : `yobidashi phoned ${plural(e.callsPlaced, 'time')} and nobody acknowledged the alert. The incident is exhausted: nobody will be called for it again. Someone has to look now.`;
  const handoverNote = e.handover
    ? {
        'not-found': `The roster ${e.roster ?? ''} hands over to roster ${e.handover.roster} (onExhausted), but no roster ${e.handover.roster} exists: import it.`,
        'already-called': `The roster ${e.roster ?? ''} hands over to roster ${e.handover.roster} (onExhausted), which this incident has called already: a roster is never called twice.`,
        'too-many-rosters': `The roster ${e.roster ?? ''} hands over to roster ${e.handover.roster} (onExhausted), but this incident has called the most rosters one incident may.`,
      }[e.handover.problem]
    : undefined;
  const command = lookCommand(look, i.incidentId);
  const body = [
    headline,
    '',
    summary,
    ...(handoverNote ? ['', handoverNote] : []),
    '',
    facts([
      ...incidentFacts(i),
      ['Gave up', when(at, i.timeZone)],
      ['Roster', e.roster],
      ['Calls', noRoster ? '0' : callsFact(e.callsPlaced, calls)],
      ['Incident', i.incidentId],
    ]),
    ...(calls.length ? callLines(calls, i.timeZone) : []),
    '',
    `Look at it: ${command}`,
  ].join('\n');
  return {
    notificationId: notificationIds.exhausted(i.incidentId),
    kind: 'incident-exhausted',
    subject: asciiSubject(`yobidashi: ${headline} (${noRoster ? 'no roster' : plural(e.callsPlaced, 'call')})`, `yobidashi: ${noRoster ? 'no roster' : 'nobody answered'} - incident ${i.incidentId}`),
    text: body,
    short: shorten(`yobidashi: ${headline}, ${noRoster ? 'no roster' : plural(e.callsPlaced, 'call')}. ${command}`, SHORT_MAX),
    chat: {
      title: `:rotating_light: ${headline}`,
      description: [summary, handoverNote, `*Calls*: ${noRoster ? 'none' : callsFact(e.callsPlaced, calls)}`, `*Opened*: ${when(i.openedAt, i.timeZone)}`, `*Incident*: \`${i.incidentId}\``].filter(Boolean).join('\n'),
      nextSteps: [`\`${command}\``],
      keywords: [i.system, noRoster ? 'no-roster' : 'exhausted'].filter(Boolean),
    },
    attributes: attributes('incident-exhausted', 'critical', i),
    incidentId: i.incidentId,
    system: i.system,
    at,
  };
}

/** RosterExhausted: one roster's rounds ran out; its onExhausted roster is being called now. */
export function rosterExhaustedNotification(input: {
  incident: NotifiedIncident;
  calls: readonly NotifiedCall[];
  exhausted: { roster: string; next: string; callsPlaced: number };
  look: Look;
  at: number;
}): Notification {
  const { incident: i, calls, exhausted: e, look, at } = input;
  const headline = `Nobody on roster ${e.roster} answered: ${subjectOf(i)}`;
  const summary = `yobidashi phoned ${plural(e.callsPlaced, 'time')} and nobody on roster ${e.roster} acknowledged the alert. Escalating to roster ${e.next} (onExhausted): its responders are being called now.`;
  const command = lookCommand(look, i.incidentId);
  const body = [
    headline,
    '',
    summary,
    '',
    facts([
      ...incidentFacts(i),
      ['Rounds ran out', when(at, i.timeZone)],
      ['Calls', callsFact(e.callsPlaced, calls)],
      ['Now calling', `roster ${e.next}`],
      ['Incident', i.incidentId],
    ]),
    ...(calls.length ? callLines(calls, i.timeZone) : []),
    '',
    `Look at it: ${command}`,
  ].join('\n');
  return {
    notificationId: notificationIds.handover(i.incidentId, e.next),
    kind: 'roster-exhausted',
    subject: asciiSubject(`yobidashi: nobody on ${e.roster} answered ${i.host} ${i.service}; calling ${e.next}`, `yobidashi: nobody answered; escalating - incident ${i.incidentId}`),
    text: body,
    short: shorten(`yobidashi: nobody on ${e.roster} answered ${subjectOf(i)} (${plural(e.callsPlaced, 'call')}); calling ${e.next}. ${command}`, SHORT_MAX),
    chat: {
      title: `:warning: ${headline}`,
      description: [summary, `*Calls*: ${callsFact(e.callsPlaced, calls)}`, `*Incident*: \`${i.incidentId}\``].join('\n'),
      nextSteps: [`\`${command}\``],
      keywords: [i.system, 'escalated'].filter(Boolean),
    },
    attributes: attributes('roster-exhausted', 'warning', i, { roster: e.roster, next: e.next }),
    incidentId: i.incidentId,
    system: i.system,
    at,
  };
}

/**
 * Whether a call's placement is still failing the way that is news for a person: not placed, not
 * over, and Connect has refused it (capacity, a 5xx, access) PLACEMENT_FAILING.tries times in a
 * row. Waiting for a responder's line is not a failure (it gives up after a ring time).
 */
export function placementKeepsFailing(call: Pick<IncidentCall, 'placementTries' | 'deferredReason' | 'contactId' | 'endedAt'>): boolean {
  if (call.contactId !== undefined || call.endedAt !== undefined) return false;
  if (call.deferredReason === undefined || isLineWait(call.deferredReason)) return false;
  return (call.placementTries ?? 0) >= PLACEMENT_FAILING.tries;
}

/** A call Connect keeps refusing to place: yobidashi goes on trying, but nobody's phone is ringing. */
export function placementFailingNotification(input: {
  incident: NotifiedIncident;
  call: { attempt: number; responder: string; reason: string; tries: number; since: number; retryAt?: number };
  look: Look;
  at: number;
}): Notification {
  const { incident: i, call, look, at } = input;
  const minutes = Math.max(0, Math.round((at - call.since) / 60_000));
  const headline = `A call cannot be placed: ${subjectOf(i)}`;
  const summary = `Amazon Connect has refused call ${call.attempt} (to ${call.responder}) ${plural(call.tries, 'time')} in a row over ${plural(minutes, 'minute')} (${call.reason}). yobidashi keeps trying, but nobody's phone is ringing for this alert. Check the Connect instance (quotas, the contact flow, the caller ID) and the alert itself.`;
  const command = lookCommand(look, i.incidentId);
  const body = [
    headline,
    '',
    summary,
    '',
    facts([
      ...incidentFacts(i),
      ['Call', `${call.attempt}, to ${call.responder}`],
      ['Refused', `${plural(call.tries, 'time')}: ${call.reason}`],
      ['Next try', call.retryAt === undefined ? undefined : when(call.retryAt, i.timeZone)],
      ['Incident', i.incidentId],
    ]),
    '',
    `Look at it: ${command}`,
  ].join('\n');
  return {
    notificationId: notificationIds.placement(i.incidentId, call.attempt),
    kind: 'placement-failing',
    subject: asciiSubject(`yobidashi: cannot place calls for ${subjectOf(i)} (${call.reason})`, `yobidashi: cannot place calls - incident ${i.incidentId}`),
    text: body,
    short: shorten(`yobidashi: Connect refused the call for ${subjectOf(i)} ${plural(call.tries, 'time')} (${call.reason}). ${command}`, SHORT_MAX),
    chat: {
      title: `:warning: ${headline}`,
      description: [summary, `*Incident*: \`${i.incidentId}\``].join('\n'),
      nextSteps: [`\`${command}\``, `\`${look.cli} doctor\``],
      keywords: [i.system, 'placement'].filter(Boolean),
    },
    attributes: attributes('placement-failing', 'warning', i, { reason: call.reason }),
    incidentId: i.incidentId,
    system: i.system,
    at,
  };
}

export interface NotifiedDeadLetter {
  id: string;
  route: string;
  detailType: string;
  eventId: string;
  error: string;
  failedAt: string;
}

/** Deliveries that failed every retry (the local runtime's dead letters; on AWS the queues' alarms say it). */
export function deadLetterNotification(input: { letters: readonly NotifiedDeadLetter[]; waiting: number; look: Look; at: number; timeZone?: string }): Notification {
  const { letters, waiting, look, at } = input;
  const timeZone = input.timeZone ?? 'UTC';
  const first = letters[0];
  if (!first) throw new RangeError('a dead-letter notification needs at least one letter');
  const routes = [...new Set(letters.map((l) => l.route))];
  const headline = `${plural(letters.length, 'delivery')} failed every retry (${routes.join(', ')})`;
  const summary = `${plural(waiting, 'dead letter')} waiting. A handler failed every retry, or an event could not be handed to it: what it was doing (placing a call, recording an outcome) may not have happened. Recent ones are redriven by the sweep; look at the error, fix the cause and redrive the rest.`;
  const listed = letters.slice(0, 10).map((l) => `  ${l.route}: ${l.detailType} ${l.eventId} at ${when(Date.parse(l.failedAt), timeZone)}\n    ${shorten(l.error, 300)}`);
  if (letters.length > 10) listed.push(`  … and ${letters.length - 10} more`);
  const body = [headline, '', summary, '', 'Failed:', ...listed, '', `Look at them: ${look.cli} dead-letters list`, `Redrive:      ${look.cli} dead-letters redrive`].join('\n');
  return {
    notificationId: notificationIds.deadLetters(first.id),
    kind: 'dead-letters',
    subject: asciiSubject(`yobidashi: ${headline}`, `yobidashi: ${plural(letters.length, 'delivery')} failed every retry`),
    text: body,
    short: shorten(`yobidashi: ${headline}. ${look.cli} dead-letters list`, SHORT_MAX),
    chat: {
      title: `:warning: ${headline}`,
      description: [summary, ...letters.slice(0, 5).map((l) => `• *${l.route}*: ${l.detailType} — ${shorten(l.error, 200)}`)].join('\n'),
      nextSteps: [`\`${look.cli} dead-letters list\``, `\`${look.cli} dead-letters redrive\``],
      keywords: ['dead-letters', ...routes],
    },
    attributes: attributes('dead-letters', 'critical', undefined, { routes: routes.join(',') }),
    at,
  };
}
