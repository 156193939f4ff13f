import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { rosterSchema, type Roster } from '../../domain/roster.ts';
import { MAX_PAGE } from '../local/api/pagination.ts';
import type { DeadLetter } from '../local/aws/eventbridge/event-bridge-core.ts';
import { CliError, type Backend, type Check, type EventBridgeTarget } from './backend.ts';
import type { MonitorChange, MonitorRow } from './monitors.ts';
import type { CallRow, DeadLetterRow, IncidentDetail, IncidentSummary, NotificationRow, SilenceInput, SilenceRow } from './views.ts';

/** The local runtime (`yobidashi start`): its JSON API, and its EventBridge on the same port. */
export class LocalBackend implements Backend {
  readonly kind = 'local';

  constructor(readonly where: string) {}

  /** A request to the local API: its JSON answer, or a CliError with the API's message. */
  async api<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await this.request<T>(method, path, body)).body;
  }

  /**
   * A listing, page after page (it answers an array and, while more follow, their token in
   * X-Next-Token): every item, or the first `most`.
   */
  async list<T>(path: string, most = Infinity): Promise<T[]> {
    const items: T[] = [];
    let token: string | null = null;
    do {
      const limit = Math.min(MAX_PAGE, most - items.length);
      const query: string = `?limit=${limit}${token ? `&nextToken=${encodeURIComponent(token)}` : ''}`;
      const page: { body: T[]; headers: Headers } = await this.request<T[]>('GET', `${path}${query}`);
      items.push(...page.body);
      token = page.headers.get('x-next-token');
    } while (token && items.length < most);
    return items;
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<{ body: T; headers: Headers }> {
    let response: Response;
    try {
      response = await fetch(`${this.where}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    } catch {
      throw new CliError(`cannot reach yobidashi at ${this.where}: is \`yobidashi start\` running? (or pass --stack NAME for a deployment)`);
    }
    const text = await response.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (!response.ok) throw new CliError(`${response.status}: ${(parsed as { message?: string } | undefined)?.message ?? text}`);
    return { body: parsed as T, headers: response.headers };
  }

  events(): EventBridgeTarget {
    const account = '000000000000';
    const region = 'us-east-1';
    return {
      client: new EventBridgeClient({ endpoint: this.where, region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
      busName: 'yobidashi',
      busArn: `arn:aws:events:${region}:${account}:event-bus/yobidashi`,
      archiveArn: `arn:aws:events:${region}:${account}:archive/yobidashi-archive`,
    };
  }

  async notifications(limit: number): Promise<NotificationRow[]> {
    const published = await this.list<{ publishedAt: string; kind?: string; subject?: string; incidentId?: string; system?: string; messageId: string; message: string }>('/api/notifications', limit);
    return published.map((n) => ({ at: n.publishedAt, kind: n.kind ?? '', subject: n.subject ?? '', incidentId: n.incidentId, system: n.system, state: 'sent' as const, messageId: n.messageId, message: n.message }));
  }

  async putRosters(rosters: readonly Roster[]): Promise<void> {
    for (const roster of rosters) await this.api('PUT', `/api/rosters/${encodeURIComponent(roster.system)}`, roster);
  }

  async listRosters(): Promise<Roster[]> {
    return rosterSchema.array().parse(await this.api('GET', '/api/rosters'));
  }

  incidents(limit: number): Promise<IncidentSummary[]> {
    return this.list('/api/incidents', limit);
  }

  incident(id: string): Promise<IncidentDetail> {
    return this.api('GET', `/api/incidents/${encodeURIComponent(id)}`);
  }

  calls(): Promise<CallRow[]> {
    return this.list('/api/calls');
  }

  addSilence(input: SilenceInput): Promise<SilenceRow> {
    return this.api('POST', '/api/silences', input);
  }

  listSilences(): Promise<SilenceRow[]> {
    return this.api('GET', '/api/silences');
  }

  async removeSilence(id: string): Promise<void> {
    await this.api('DELETE', `/api/silences/${encodeURIComponent(id)}`);
  }

  heartbeats(): Promise<MonitorRow[]> {
    return this.api('GET', '/api/heartbeats');
  }

  async changeHeartbeat(system: string, name: string, change: MonitorChange): Promise<MonitorRow | undefined> {
    const path = `/api/heartbeats/${encodeURIComponent(system)}/${encodeURIComponent(name)}`;
    if (change === 'removed') {
      await this.api('DELETE', path);
      return undefined;
    }
    return this.api('POST', `${path}/${change === 'paused' ? 'pause' : 'resume'}`);
  }

  async deadLetters(): Promise<DeadLetterRow[]> {
    const letters = await this.list<DeadLetter>('/api/dead-letters');
    return letters.map((l) => ({ id: l.id, route: l.route, detailType: l.envelope['detail-type'], eventId: l.envelope.id, stage: l.stage, error: l.error, failedAt: l.failedAt, attempts: l.attempts }));
  }

  async redrive(id?: string): Promise<string[]> {
    return (await this.api<{ redriven: string[] }>('POST', '/api/dead-letters/redrive', id ? { id } : {})).redriven;
  }

  async doctor(): Promise<Check[]> {
    const health = await this.api<{ now: string; timeScale: number }>('GET', '/api/health');
    const letters = await this.deadLetters();
    const faults = await this.api<{ id: string; target: string }[]>('GET', '/api/faults');
    return [
      { check: 'the local runtime answers', status: 'ok', detail: `${this.where}, clock ${health.now}, time scale ${health.timeScale}x` },
      letters.length === 0
        ? { check: 'no dead letters', status: 'ok', detail: 'none' }
        : { check: 'no dead letters', status: 'fail', detail: `${letters.length}: yobidashi dead-letters list` },
      faults.length === 0
        ? { check: 'no faults injected', status: 'ok', detail: 'none' }
        : { check: 'no faults injected', status: 'warn', detail: faults.map((f) => f.target).join(', ') },
    ];
  }
}
