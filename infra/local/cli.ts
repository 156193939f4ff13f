import { parseArgs } from 'node:util';
import { DescribeReplayCommand, EventBridgeClient, PutEventsCommand, StartReplayCommand } from '@aws-sdk/client-eventbridge';
import { InvalidEventPatternError, matchesEventPattern, validateEventPattern } from '../../events/pattern/index.ts';
import { ROUTES } from '../../events/routes.ts';
import { rosterSchema } from '../../domain/roster.ts';
import { readRosterFile, RosterFileError } from './roster-file.ts';

const USAGE = `yobidashi — unmanned on-call phone escalation

Usage:
  yobidashi start [--port 4010] [--data-dir .yobidashi] [--time-scale N] [--log-level warn]
                                      run everything locally (env YOBIDASHI_TIME_SCALE for N)
  yobidashi roster import FILE        load rosters from YAML or JSON (errors name line and field)
  yobidashi roster list
  yobidashi roster check FILE         validate a roster file without a running yobidashi
  yobidashi alert send --system S --host H --service X [--resolved] [--message M] [--severity V]
  yobidashi incidents [ID]            list incidents, or one incident's timeline
  yobidashi calls                     every call placed, with what was heard
  yobidashi silence add --system S [--host H] [--service X] [--hours N | --until ISO] [--reason R]
  yobidashi silence list
  yobidashi silence remove ID
  yobidashi dead-letters list          deliveries that failed every retry (kept across restarts)
  yobidashi dead-letters redrive [ID]  hand one (or all) back to the original route
  yobidashi fault add --target T --error CODE (--for-seconds N | --times N) [--message M]
                                      rehearse a bad night: T is connect:StartOutboundVoiceContact,
                                      connect:DescribeContact, scheduler:CreateSchedule, dynamodb:*,
                                      events:PutEvents, lambda:Invoke or handler:<name>
  yobidashi fault list
  yobidashi fault clear
  yobidashi replay --from ISO --to ISO [--name NAME]
                                      replay the archive: timelines rebuild, nobody is called
  yobidashi routes                    the routing table
  yobidashi test-pattern PATTERN EVENT  does an EventBridge pattern match an event? (JSON)

Options for commands that talk to a running yobidashi:
  --endpoint URL   default http://127.0.0.1:4010 (env YOBIDASHI_ENDPOINT)
  --json           machine-readable output
`;

export type Out = { log: (line: string) => void; error: (line: string) => void };

class UsageError extends Error {}

const OPTIONS = {
  port: { type: 'string' },
  'data-dir': { type: 'string' },
  'time-scale': { type: 'string' },
  'log-level': { type: 'string' },
  endpoint: { type: 'string' },
  json: { type: 'boolean' },
  system: { type: 'string' },
  host: { type: 'string' },
  service: { type: 'string' },
  resolved: { type: 'boolean' },
  message: { type: 'string' },
  severity: { type: 'string' },
  hours: { type: 'string' },
  until: { type: 'string' },
  reason: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  name: { type: 'string' },
  target: { type: 'string' },
  error: { type: 'string' },
  'for-seconds': { type: 'string' },
  times: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** Plain-text table: the columns of the rows' keys, widths to fit. */
export function table(rows: Record<string, unknown>[], columns?: string[]): string {
  if (rows.length === 0) return '(none)';
  const cols = columns ?? Object.keys(rows[0] as object);
  const cell = (v: unknown) => (v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(cols), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => cell(r[c]))))].join('\n');
}

function endpointOf(values: Values): string {
  return (values.endpoint ?? process.env.YOBIDASHI_ENDPOINT ?? 'http://127.0.0.1:4010').replace(/\/$/, '');
}

async function api(values: Values, method: string, path: string, body?: unknown): Promise<unknown> {
  const endpoint = endpointOf(values);
  let response: Response;
  try {
    response = await fetch(`${endpoint}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  } catch {
    throw new UsageError(`cannot reach yobidashi at ${endpoint}: is \`yobidashi start\` running?`);
  }
  const text = await response.text();
  const parsed: unknown = text ? JSON.parse(text) : undefined;
  if (!response.ok) throw new UsageError(`${response.status}: ${(parsed as { message?: string } | undefined)?.message ?? text}`);
  return parsed;
}

function eventBridge(values: Values): EventBridgeClient {
  return new EventBridgeClient({ endpoint: endpointOf(values), region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}

function required(values: Values, name: keyof Values): string {
  const value = values[name];
  if (typeof value !== 'string' || !value) throw new UsageError(`--${String(name)} is required`);
  return value;
}

export async function main(argv: string[], out: Out = console): Promise<number> {
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    out.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, sub, arg] = positionals;
  const print = (data: unknown, text: () => string) => out.log(values.json ? JSON.stringify(data, null, 2) : text());
  try {
    switch (command) {
      case 'start': {
        const { runStart } = await import('./start.ts');
        return await runStart(values, out);
      }
      case 'routes':
        print(ROUTES, () => table(ROUTES.map((r) => ({ name: r.name, handler: r.handler, replays: r.sideEffects ? 'excluded' : 'delivered', pattern: JSON.stringify(r.eventPattern) }))));
        return 0;
      case 'test-pattern': {
        const [pattern, event] = [sub, arg];
        if (!pattern || !event) throw new UsageError('test-pattern needs PATTERN and EVENT as JSON');
        try {
          const parsedPattern: unknown = JSON.parse(pattern);
          validateEventPattern(parsedPattern);
          const matched = matchesEventPattern(parsedPattern, JSON.parse(event) as Record<string, unknown>);
          out.log(matched ? 'match' : 'no match');
          return matched ? 0 : 1;
        } catch (error) {
          if (error instanceof InvalidEventPatternError || error instanceof SyntaxError) throw new UsageError(error.message);
          throw error;
        }
      }
      case 'roster': {
        if (sub === 'check' || sub === 'import') {
          if (!arg) throw new UsageError(`usage: yobidashi roster ${sub} FILE`);
          const rosters = await readRosterFile(arg);
          if (sub === 'import') for (const roster of rosters) await api(values, 'PUT', `/api/rosters/${encodeURIComponent(roster.system)}`, roster);
          print(rosters, () =>
            rosters.map((r) => `${sub === 'import' ? 'imported' : 'ok'}: ${r.system}, ${r.responders.length} responders, ${r.rounds} rounds`).join('\n'),
          );
          return 0;
        }
        if (sub === 'list') {
          const rosters = rosterSchema.array().parse(await api(values, 'GET', '/api/rosters'));
          print(rosters, () =>
            table(rosters.flatMap((r) => r.responders.map((p, i) => ({ system: r.system, rounds: r.rounds, order: i + 1, name: p.name, phone: p.phone, language: p.language, timezone: p.timezone, hours: p.hours ?? 'always' })))),
          );
          return 0;
        }
        throw new UsageError('usage: yobidashi roster import|list|check');
      }
      case 'alert': {
        if (sub !== 'send') throw new UsageError('usage: yobidashi alert send --system S --host H --service X [--resolved]');
        const detail = {
          systemname: required(values, 'system'),
          host: required(values, 'host'),
          service: required(values, 'service'),
          status: values.resolved ? 'resolved' : 'firing',
          lastcheck: new Date().toISOString(),
          ...(values.message ? { message: values.message } : {}),
          ...(values.severity ? { severity: values.severity } : {}),
        };
        const result = await eventBridge(values).send(new PutEventsCommand({ Entries: [{ EventBusName: 'yobidashi', Source: 'yobidashi.cli', DetailType: 'AlertReceived', Detail: JSON.stringify(detail) }] }));
        const entry = result.Entries?.[0];
        if (entry?.ErrorCode) throw new UsageError(`rejected: ${entry.ErrorCode} ${entry.ErrorMessage ?? ''}`);
        print({ eventId: entry?.EventId, detail }, () => `sent ${detail.status} alert ${detail.systemname}/${detail.host}/${detail.service} (event ${entry?.EventId})`);
        return 0;
      }
      case 'incidents': {
        if (sub) {
          const incident = (await api(values, 'GET', `/api/incidents/${encodeURIComponent(sub)}`)) as {
            incidentId: string;
            status: string;
            timeline: { calls: Record<string, unknown>[]; events: { time: string; detailType: string; detail: unknown }[]; alerts: Record<string, unknown>[] };
          } & Record<string, unknown>;
          print(incident, () =>
            [
              `${incident.incidentId}  ${incident.status}  ${String(incident.system)}/${String(incident.host)}/${String(incident.service)}`,
              '',
              'calls:',
              table(incident.timeline.calls, ['attempt', 'responder', 'destination', 'placedAt', 'outcome', 'digits', 'discon_reason']),
              '',
              'events:',
              table(incident.timeline.events.map((e) => ({ time: e.time, event: e.detailType })), ['time', 'event']),
            ].join('\n'),
          );
          return 0;
        }
        const incidents = (await api(values, 'GET', '/api/incidents')) as Record<string, unknown>[];
        print(incidents, () => table(incidents, ['incidentId', 'status', 'system', 'host', 'service', 'callsPlaced', 'waitingFor', 'openedAt']));
        return 0;
      }
      case 'calls': {
        const calls = (await api(values, 'GET', '/api/calls')) as Record<string, unknown>[];
        print(calls, () => table(calls, ['startedAt', 'destination', 'incidentId', 'attempt', 'digits', 'outcome', 'disconnectReason']));
        return 0;
      }
      case 'silence': {
        if (sub === 'add') {
          const body = {
            system: required(values, 'system'),
            ...(values.host ? { host: values.host } : {}),
            ...(values.service ? { service: values.service } : {}),
            ...(values.hours ? { hours: Number(values.hours) } : {}),
            ...(values.until ? { until: values.until } : {}),
            ...(values.reason ? { reason: values.reason } : {}),
            createdBy: 'cli',
          };
          const silence = (await api(values, 'POST', '/api/silences', body)) as { silenceId: string; until: string };
          print(silence, () => `silence ${silence.silenceId} until ${silence.until}`);
          return 0;
        }
        if (sub === 'list') {
          const silences = (await api(values, 'GET', '/api/silences')) as Record<string, unknown>[];
          print(silences, () => table(silences, ['silenceId', 'scope', 'from', 'until', 'active', 'createdBy', 'reason']));
          return 0;
        }
        if (sub === 'remove' && arg) {
          await api(values, 'DELETE', `/api/silences/${encodeURIComponent(arg)}`);
          print({ removed: arg }, () => `removed ${arg}`);
          return 0;
        }
        throw new UsageError('usage: yobidashi silence add|list|remove');
      }
      case 'dead-letters': {
        if (sub === 'list' || sub === undefined) {
          const letters = (await api(values, 'GET', '/api/dead-letters')) as { id: string; route: string; stage: string; attempts: number; redrives: number; failedAt: string; error: string; envelope: { id: string; 'detail-type': string } }[];
          print(letters, () =>
            table(
              letters.map((l) => ({ id: l.id, route: l.route, event: `${l.envelope['detail-type']} ${l.envelope.id}`, stage: l.stage, attempts: l.attempts, redrives: l.redrives, failedAt: l.failedAt, error: l.error.slice(0, 80) })),
              ['id', 'route', 'event', 'stage', 'attempts', 'redrives', 'failedAt', 'error'],
            ),
          );
          return 0;
        }
        if (sub === 'redrive') {
          const result = (await api(values, 'POST', '/api/dead-letters/redrive', arg ? { id: arg } : {})) as { redriven: string[] };
          print(result, () => (result.redriven.length ? `redriven: ${result.redriven.join(', ')}` : 'nothing to redrive'));
          return 0;
        }
        throw new UsageError('usage: yobidashi dead-letters list|redrive [ID]');
      }
      case 'fault': {
        if (sub === 'add') {
          const number = (name: 'for-seconds' | 'times') => {
            const raw = values[name];
            if (raw === undefined) return undefined;
            const n = Number(raw);
            if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number`);
            return n;
          };
          const forSeconds = number('for-seconds');
          const times = number('times');
          const body = {
            target: required(values, 'target'),
            error: required(values, 'error'),
            ...(forSeconds !== undefined ? { forSeconds } : {}),
            ...(times !== undefined ? { times } : {}),
            ...(values.message ? { message: values.message } : {}),
          };
          const fault = (await api(values, 'PUT', '/api/faults', body)) as { id: string; target: string; error: string; until?: string; remaining?: number };
          print(fault, () => `fault ${fault.id}: ${fault.target} answers ${fault.error} ${fault.until ? `until ${fault.until}` : `${String(fault.remaining)} times`}`);
          return 0;
        }
        if (sub === 'list') {
          const faults = (await api(values, 'GET', '/api/faults')) as Record<string, unknown>[];
          print(faults, () => table(faults, ['id', 'target', 'error', 'until', 'remaining', 'hits']));
          return 0;
        }
        if (sub === 'clear') {
          const result = (await api(values, 'DELETE', '/api/faults')) as { cleared: number };
          print(result, () => `cleared ${result.cleared} fault${result.cleared === 1 ? '' : 's'}`);
          return 0;
        }
        throw new UsageError('usage: yobidashi fault add|list|clear');
      }
      case 'replay': {
        const from = Date.parse(required(values, 'from'));
        const to = Date.parse(required(values, 'to'));
        if (Number.isNaN(from) || Number.isNaN(to) || to <= from) throw new UsageError('--from and --to must be ISO times, --from before --to');
        const client = eventBridge(values);
        const name = values.name ?? `replay-${Date.now()}`;
        const archive = `arn:aws:events:us-east-1:000000000000:archive/yobidashi-archive`;
        await client.send(new StartReplayCommand({ ReplayName: name, EventSourceArn: archive, EventStartTime: new Date(from), EventEndTime: new Date(to), Destination: { Arn: 'arn:aws:events:us-east-1:000000000000:event-bus/yobidashi' } }));
        for (let i = 0; i < 600; i++) {
          const replay = await client.send(new DescribeReplayCommand({ ReplayName: name }));
          if (replay.State === 'COMPLETED' || replay.State === 'FAILED') {
            print({ name, state: replay.State }, () => `replay ${name}: ${String(replay.State)}`);
            return replay.State === 'COMPLETED' ? 0 : 1;
          }
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        throw new UsageError(`replay ${name} did not finish`);
      }
      case undefined:
      case 'help':
        out.log(USAGE);
        return 0;
      default:
        throw new UsageError(`unknown command "${command}"\n\n${USAGE}`);
    }
  } catch (error) {
    if (error instanceof UsageError) out.error(error.message);
    else if (error instanceof RosterFileError) out.error(error.problems.join('\n'));
    else throw error;
    return 2;
  }
}

