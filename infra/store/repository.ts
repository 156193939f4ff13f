import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Monitor } from '../../domain/heartbeat.ts';
import type { Incident } from '../../domain/incident.ts';
import type { Line } from '../../domain/line.ts';
import { rosterSchema, type Roster } from '../../domain/roster.ts';
import type { Silence } from '../../domain/silence.ts';
import type {
  AlertRecord,
  ContactRecord,
  IncidentBrief,
  IncidentHead,
  NotificationClaim,
  NotificationRecord,
  OutcomeUpdate,
  RejectionRecord,
  Store,
  Timeline,
  TimelineEvent,
} from '../../handlers/ports.ts';
import { createEntities, type Entities } from './entities.ts';

const DAY_SECONDS = 86_400;

interface SilenceItem {
  system: string;
  silenceId: string;
  host?: string | undefined;
  service?: string | undefined;
  from: number;
  until: number;
  createdBy: string;
  reason?: string | undefined;
  incidentId?: string | undefined;
  cron?: string | undefined;
  durationMinutes?: number | undefined;
  timezone?: string | undefined;
}
const SILENCE_RETENTION_SECONDS = 30 * DAY_SECONDS;
const REJECTION_RETENTION_SECONDS = 90 * DAY_SECONDS;
/** Notification records outlive any retry or redrive of the event that caused them (redrives stop after a day). */
const NOTIFICATION_RETENTION_SECONDS = 90 * DAY_SECONDS;

/** ElectroDB wraps the SDK error; either shape means "the condition did not hold". */
export function isConditionalFailure(error: unknown): boolean {
  for (let current: unknown = error; current; current = (current as { cause?: unknown }).cause) {
    const { name, message } = current as { name?: string; message?: string };
    if (name === 'ConditionalCheckFailedException' || /conditional request failed/i.test(message ?? '')) return true;
  }
  return false;
}

async function conditional(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (isConditionalFailure(error)) return false;
    throw error;
  }
}

/** Strips ElectroDB's undefined-able view back into our domain types without `any`. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null)) as T;
}

export function createDocumentClient(config: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(config), {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });
}

export class ElectroStore implements Store {
  private readonly db: Entities;

  constructor(client: DynamoDBDocumentClient, table: string) {
    this.db = createEntities(client, table);
  }

  async getHead(dedupKey: string): Promise<IncidentHead | undefined> {
    const { data } = await this.db.head.get({ dedupKey }).go({ consistent: true });
    return data ? { dedupKey: data.dedupKey, generation: data.generation, incidentId: data.incidentId } : undefined;
  }

  claimHead(head: IncidentHead, fromGeneration: number): Promise<boolean> {
    if (fromGeneration === 0) return conditional(() => this.db.head.create(head).go());
    return conditional(() =>
      this.db.head
        .patch({ dedupKey: head.dedupKey })
        .set({ generation: head.generation, incidentId: head.incidentId })
        .where(({ generation }, { eq }) => eq(generation, fromGeneration))
        .go(),
    );
  }

  async getIncident(incidentId: string): Promise<Incident | undefined> {
    const { data } = await this.db.incident.get({ incidentId }).go({ consistent: true });
    return data ? (defined(data) as Incident) : undefined;
  }

  createIncident(incident: Incident): Promise<boolean> {
    return conditional(() => this.db.incident.create(incident).go());
  }

  saveIncident(incident: Incident, expectedVersion: number): Promise<boolean> {
    return conditional(() =>
      this.db.incident
        .put(incident)
        .where(({ version }, { eq }) => eq(version, expectedVersion))
        .go(),
    );
  }

  async listIncidents(limit: number): Promise<Incident[]> {
    const { data } = await this.db.incident.query.recent({}).go({ order: 'desc', limit });
    return data.map((item) => defined(item) as Incident);
  }

  async listOpenIncidents(): Promise<Incident[]> {
    const { data } = await this.db.incident.query.live({}).go({ pages: 'all' });
    // The index is eventually consistent and may lag a status change: filter on the item itself.
    return data.map((item) => defined(item) as Incident).filter((incident) => incident.status === 'open');
  }

  async listIncidentsOpened(fromMs: number, toMs: number, limit: number): Promise<IncidentBrief[]> {
    if (limit < 1 || toMs <= fromMs) return [];
    const { data } = await this.db.incident.query
      .recent({})
      // openedAt alone bounds the range: [from, to), whatever the incident ids after it.
      .between({ openedAt: fromMs }, { openedAt: toMs })
      .go({ order: 'desc', count: limit, attributes: ['incidentId', 'system', 'status', 'openedAt', 'closedAt', 'attempt'] });
    return data.map((item) => defined(item) as IncidentBrief).filter((i) => i.openedAt >= fromMs && i.openedAt < toMs);
  }

  async recordAlert(record: AlertRecord): Promise<void> {
    await this.db.alert.put(record).go();
  }

  createContact(record: ContactRecord): Promise<boolean> {
    return conditional(() => this.db.contact.create(record).go());
  }

  async getContact(incidentId: string, attempt: number): Promise<ContactRecord | undefined> {
    const { data } = await this.db.contact.get({ incidentId, attempt }).go({ consistent: true });
    return data ? (defined(data) as ContactRecord) : undefined;
  }

  async findContacts(contactId: string): Promise<ContactRecord[]> {
    const { data } = await this.db.contact.query.byContactId({ contactId }).go({ pages: 'all' });
    // The index is eventually consistent: re-read each item for its latest state.
    const records = await Promise.all(data.map((found) => this.getContact(found.incidentId, found.attempt)));
    return records.filter((r): r is ContactRecord => r !== undefined);
  }

  async listContacts(incidentId: string): Promise<ContactRecord[]> {
    const { data } = await this.db.contact.query.primary({ incidentId }).go({ pages: 'all' });
    return data.map((item) => defined(item) as ContactRecord);
  }

  async getLine(lineId: string): Promise<Line | undefined> {
    const { data } = await this.db.line.get({ lineId }).go({ consistent: true });
    return data ? (defined(data) as Line) : undefined;
  }

  saveLine(line: Line, expectedVersion: number): Promise<boolean> {
    if (expectedVersion === 0) return conditional(() => this.db.line.create(line).go());
    return conditional(() =>
      this.db.line
        .put(line)
        .where(({ version }, { eq }) => eq(version, expectedVersion))
        .go(),
    );
  }

  async findContact(contactId: string): Promise<ContactRecord | undefined> {
    const { data } = await this.db.contact.query.byContactId({ contactId }).go({ limit: 1 });
    const found = data[0];
    // The index is eventually consistent: re-read the item itself for its latest state.
    return found ? this.getContact(found.incidentId, found.attempt) : undefined;
  }

  async recordOutcome(
    incidentId: string,
    attempt: number,
    update: OutcomeUpdate,
  ): Promise<{ recorded: true } | { recorded: false; existing: ContactRecord | undefined }> {
    const written = await conditional(() =>
      this.db.contact
        .patch({ incidentId, attempt })
        .set(defined({ ...update, check_flag: update.outcome === 'acknowledged' }))
        .where(({ outcome }, { notExists }) => notExists(outcome))
        .go(),
    );
    if (written) return { recorded: true };
    return { recorded: false, existing: await this.getContact(incidentId, attempt) };
  }

  async noteConnected(incidentId: string, attempt: number, atMs: number): Promise<void> {
    await conditional(() =>
      this.db.contact
        .patch({ incidentId, attempt })
        .set({ connectedAt: atMs })
        .where(({ connectedAt }, { notExists }) => notExists(connectedAt))
        .go(),
    );
  }

  async putRoster(roster: Roster): Promise<void> {
    await this.db.roster.put(roster).go();
  }

  async getRoster(system: string): Promise<Roster | undefined> {
    const { data } = await this.db.roster.get({ system }).go({ consistent: true });
    return data ? rosterSchema.parse(defined(data)) : undefined;
  }

  async listRosters(): Promise<Roster[]> {
    const { data } = await this.db.roster.query.all({}).go({ pages: 'all' });
    return data.map((item) => rosterSchema.parse(defined(item)));
  }

  async putSilence(silence: Silence): Promise<void> {
    await this.db.silence
      .put(
        defined({
          system: silence.scope.system,
          host: silence.scope.host,
          service: silence.scope.service,
          silenceId: silence.silenceId,
          from: silence.from,
          until: silence.until,
          createdBy: silence.createdBy,
          reason: silence.reason,
          incidentId: silence.incidentId,
          cron: silence.recurrence?.cron,
          durationMinutes: silence.recurrence?.durationMinutes,
          timezone: silence.recurrence?.timezone,
          // A recurring silence without an end (NO_END) gets a TTL far past any real date: kept until removed.
          expiresAt: Math.ceil(silence.until / 1000) + SILENCE_RETENTION_SECONDS,
        }),
      )
      .go();
  }

  private toSilence(item: SilenceItem): Silence {
    return defined({
      silenceId: item.silenceId,
      scope: defined({ system: item.system, host: item.host, service: item.service }),
      from: item.from,
      until: item.until,
      createdBy: item.createdBy,
      reason: item.reason,
      incidentId: item.incidentId,
      // Older records have none of the three: a one-off silence, read as before.
      recurrence:
        item.cron !== undefined && item.durationMinutes !== undefined && item.timezone !== undefined
          ? { cron: item.cron, durationMinutes: item.durationMinutes, timezone: item.timezone }
          : undefined,
    }) as Silence;
  }

  async listSilences(system: string): Promise<Silence[]> {
    const { data } = await this.db.silence.query.primary({ system }).go({ pages: 'all', consistent: true });
    return data.map((item) => this.toSilence(item));
  }

  async listAllSilences(): Promise<Silence[]> {
    const { data } = await this.db.silence.query.all({}).go({ pages: 'all' });
    return data.map((item) => this.toSilence(item));
  }

  deleteSilence(system: string, silenceId: string): Promise<boolean> {
    return conditional(() => this.db.silence.remove({ system, silenceId }).go());
  }

  async recordEvent(event: TimelineEvent): Promise<void> {
    await this.db.timelineEvent.put(defined(event)).go();
  }

  async timeline(incidentId: string): Promise<Timeline> {
    const { data } = await this.db.service.collections.timeline({ incidentId }).go({ pages: 'all', consistent: true });
    const incident = data.incident[0];
    return {
      incident: incident ? (defined(incident) as Incident) : undefined,
      alerts: data.alert.map((item) => defined(item) as AlertRecord),
      contacts: data.contact.map((item) => defined(item) as ContactRecord),
      events: data.timelineEvent.map((item) => defined(item) as TimelineEvent),
    };
  }

  async recordRejection(record: RejectionRecord): Promise<void> {
    await this.db.rejection
      .put({ ...record, expiresAt: Math.ceil(record.at / 1000) + REJECTION_RETENTION_SECONDS })
      .go();
  }

  async claimNotification(record: NotificationClaim, staleBefore: number): Promise<'claimed' | 'sent' | 'busy'> {
    const item = defined({ ...record, createdAt: record.claimedAt, state: 'sending' as const, expiresAt: Math.ceil(record.claimedAt / 1000) + NOTIFICATION_RETENTION_SECONDS });
    for (let race = 0; race < 4; race++) {
      if (await conditional(() => this.db.notification.create(item).go())) return 'claimed';
      const { data } = await this.db.notification.get({ notificationId: record.notificationId }).go({ consistent: true });
      if (!data) continue; // expired between the two calls: create again
      if (data.state === 'sent') return 'sent';
      if (data.claimedAt >= staleBefore) return 'busy';
      // Its publisher died mid-way (a crash, a timeout): take the claim over, one taker only.
      const taken = await conditional(() =>
        this.db.notification
          .patch({ notificationId: record.notificationId })
          .set({ claimedAt: record.claimedAt })
          .where(({ claimedAt, state }, { eq }) => `${eq(claimedAt, data.claimedAt)} AND ${eq(state, 'sending')}`)
          .go(),
      );
      return taken ? 'claimed' : 'busy';
    }
    throw new Error(`notification ${record.notificationId}: gave up after repeated races`);
  }

  async markNotificationSent(notificationId: string, sentAt: number, messageId: string): Promise<void> {
    await this.db.notification.patch({ notificationId }).set({ state: 'sent', sentAt, messageId }).go();
  }

  async listNotifications(limit: number): Promise<NotificationRecord[]> {
    const { data } = await this.db.notification.query.recent({}).go({ order: 'desc', limit });
    return data.map(({ expiresAt: _expires, createdAt: _created, ...item }) => defined(item) as NotificationRecord);
  }

  async getMonitor(system: string, name: string): Promise<Monitor | undefined> {
    const { data } = await this.db.monitor.get({ system, name }).go({ consistent: true });
    return data ? (defined(data) as Monitor) : undefined;
  }

  saveMonitor(monitor: Monitor, expectedVersion: number): Promise<boolean> {
    if (expectedVersion === 0) return conditional(() => this.db.monitor.create(monitor).go());
    return conditional(() =>
      this.db.monitor
        .put(monitor)
        .where(({ version }, { eq }) => eq(version, expectedVersion))
        .go(),
    );
  }

  async listMonitors(): Promise<Monitor[]> {
    const { data } = await this.db.monitor.query.all({}).go({ pages: 'all' });
    return data.map((item) => defined(item) as Monitor);
  }

  deleteMonitor(system: string, name: string, expectedVersion: number): Promise<boolean> {
    return conditional(() =>
      this.db.monitor
        .delete({ system, name })
        .where(({ version }, { eq }) => eq(version, expectedVersion))
        .go(),
    );
  }

  async listRejections(limit: number): Promise<RejectionRecord[]> {
    const { data } = await this.db.rejection.query.primary({}).go({ order: 'desc', limit });
    return data.map(({ expiresAt: _expires, ...item }) => defined(item) as RejectionRecord);
  }
}
