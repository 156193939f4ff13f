import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { InvalidEventError, InvalidEventPatternError, testEventPattern } from '../../events/pattern/index.ts';
import { ROUTES } from '../../events/routes.ts';
import { readRosterFile, RosterFileError } from '../local/roster-file.ts';
import { AwsBackend } from './aws-backend.ts';
import { CliError, type Backend, type Check } from './backend.ts';
import { driftCheck, putEvent, replay, routeDrift, testPatternRemotely } from './events.ts';
import { LocalBackend } from './local-backend.ts';
import { MAX_WINDOW_MINUTES, MIN_WINDOW_MINUTES } from '../../domain/silence.ts';
import { durationText, parseDuration, ROUTE_COLUMNS, routeRows, windowText, type SilenceRow } from './views.ts';
import type { MonitorRow } from './monitors.ts';

/**
 * The yobidashi CLI. Without `--stack` it talks to a local runtime (`yobidashi start`, the
 * `--endpoint`); with `--stack NAME` (or YOBIDASHI_STACK) to that deployed stack, found through
 * CloudFormation. Every verb has its own options and help; an unknown option is an error.
 */

export type Out = { log: (line: string) => void; error: (line: string) => void };

interface GlobalOptions {
  json?: boolean;
  endpoint?: string;
  stack?: string;
  region?: string;
  profile?: string;
}

/** Plain-text table: the columns of the rows' keys, widths to fit. */
export function table(rows: Record<string, unknown>[], columns?: string[]): string {
  if (rows.length === 0) return '(none)';
  const cols = columns ?? Object.keys(rows[0] as object);
  const cell = (v: unknown) => (v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(cols), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => cell(r[c]))))].join('\n');
}

const number = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number`);
  return n;
};
const duration = (value: string) => {
  const minutes = parseDuration(value);
  if (minutes === undefined || minutes < MIN_WINDOW_MINUTES || minutes > MAX_WINDOW_MINUTES) throw new InvalidArgumentError('must be a length such as 90m, 2h or 1h30m, from 1m to 7d');
  return minutes;
};
/** `cron(0 2 ? * SUN *) for 2h in Asia/Tokyo` */
const recurrenceText = (s: SilenceRow) => `${s.cron} for ${durationText(s.durationMinutes ?? 0)} in ${s.timezone}`;
const isoTime = (value: string) => {
  if (Number.isNaN(Date.parse(value))) throw new InvalidArgumentError('must be an ISO time such as 2026-11-24T00:00:00Z');
  return value;
};

export async function main(argv: string[], out: Out = console): Promise<number> {
  let code = 0;
  const program = new Command('yobidashi');
  program
    .description('unmanned on-call phone escalation')
    .option('--json', 'machine-readable output')
    .option('--endpoint <url>', 'a local runtime (default http://127.0.0.1:4010, env YOBIDASHI_ENDPOINT)')
    .option('--stack <name>', 'a deployed stack instead of a local runtime (env YOBIDASHI_STACK)')
    .option('--region <region>', 'AWS region of the stack (else the SDK default chain)')
    .option('--profile <profile>', 'AWS profile (else the SDK default chain)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => out.log(s.trimEnd()), writeErr: (s) => out.error(s.trimEnd()) })
    .showHelpAfterError('(yobidashi --help for usage)');

  const globals = (command: Command): GlobalOptions => command.optsWithGlobals<GlobalOptions>();
  const print = (command: Command, data: unknown, text: () => string) => out.log(globals(command).json ? JSON.stringify(data, null, 2) : text());
  let opened: Backend | undefined;
  const backend = async (command: Command): Promise<Backend> => {
    if (opened) return opened;
    const g = globals(command);
    const stack = g.stack ?? process.env.YOBIDASHI_STACK;
    opened = stack
      ? await AwsBackend.open(stack, { region: g.region, profile: g.profile })
      : new LocalBackend((g.endpoint ?? process.env.YOBIDASHI_ENDPOINT ?? 'http://127.0.0.1:4010').replace(/\/$/, ''));
    return opened;
  };
  /** Commands share their subcommands' setup: help, errors, output. */
  const sub = (parent: Command, name: string, description: string, options?: { isDefault?: boolean }) => parent.command(name, options).description(description).exitOverride().configureOutput({ writeOut: (s) => out.log(s.trimEnd()), writeErr: (s) => out.error(s.trimEnd()) });

  sub(program, 'start', 'run everything locally in one process')
    .option('--port <port>', 'HTTP port (env YOBIDASHI_PORT)', '4010')
    .option('--data-dir <dir>', 'where state is kept (env YOBIDASHI_DATA_DIR)')
    .option('--time-scale <n>', 'run every delay N times faster (env YOBIDASHI_TIME_SCALE)')
    .option('--log-level <level>', 'debug, info, warn or error', 'warn')
    .action(async (options: { port?: string; dataDir?: string; timeScale?: string; logLevel?: string }) => {
      const { runStart } = await import('../local/start.ts');
      code = await runStart({ port: options.port, 'data-dir': options.dataDir, 'time-scale': options.timeScale, 'log-level': options.logLevel }, out);
    });

  const roster = sub(program, 'roster', 'rosters: who is phoned for a system, in order');
  sub(roster, 'import', 'load rosters from a YAML or JSON file (errors name line and field)')
    .argument('<file>')
    .action(async (file: string, _o: unknown, command: Command) => {
      const rosters = await readRosterFile(file);
      await (await backend(command)).putRosters(rosters);
      print(command, rosters, () => rosters.map((r) => `imported: ${r.system}, ${r.responders.length} responders, ${r.rounds} rounds`).join('\n'));
    });
  sub(roster, 'check', 'validate a roster file (no runtime or stack needed)')
    .argument('<file>')
    .action(async (file: string, _o: unknown, command: Command) => {
      const rosters = await readRosterFile(file);
      print(command, rosters, () => rosters.map((r) => `ok: ${r.system}, ${r.responders.length} responders, ${r.rounds} rounds`).join('\n'));
    });
  sub(roster, 'list', 'the rosters in use')
    .action(async (_o: unknown, command: Command) => {
      const rosters = await (await backend(command)).listRosters();
      print(command, rosters, () =>
        table(rosters.flatMap((r) => r.responders.map((p, i) => ({ system: r.system, rounds: r.rounds, order: i + 1, name: p.name, phone: p.phone, language: p.language, timezone: p.timezone, hours: p.hours ?? 'always' })))),
      );
    });

  const alert = sub(program, 'alert', 'alerts');
  sub(alert, 'send', 'send an alert, as a monitoring tool would')
    .requiredOption('--system <system>')
    .requiredOption('--host <host>')
    .requiredOption('--service <service>')
    .option('--resolved', 'the alert is over')
    .option('--message <text>')
    .option('--severity <level>')
    .action(async (o: { system: string; host: string; service: string; resolved?: boolean; message?: string; severity?: string }, command: Command) => {
      const detail = {
        systemname: o.system,
        host: o.host,
        service: o.service,
        status: o.resolved ? 'resolved' : 'firing',
        lastcheck: new Date().toISOString(),
        ...(o.message ? { message: o.message } : {}),
        ...(o.severity ? { severity: o.severity } : {}),
      };
      const eventId = await putEvent((await backend(command)).events(), 'yobidashi.cli', 'AlertReceived', detail);
      print(command, { eventId, detail }, () => `sent ${detail.status} alert ${detail.systemname}/${detail.host}/${detail.service} (event ${eventId})`);
    });

  sub(program, 'incidents', 'list incidents, or one incident with its timeline')
    .argument('[id]')
    .option('--limit <n>', 'how many', number('--limit'), 100)
    .action(async (id: string | undefined, o: { limit: number }, command: Command) => {
      const b = await backend(command);
      if (id) {
        const incident = await b.incident(id);
        print(command, incident, () =>
          [
            `${incident.incidentId}  ${incident.status}  ${incident.system}/${incident.host}/${incident.service}`,
            '',
            'calls:',
            table(incident.timeline.calls, ['attempt', 'responder', 'destination', 'placedAt', 'outcome', 'digits', 'discon_reason']),
            '',
            'events:',
            table(incident.timeline.events.map((e) => ({ time: e.time, event: e.detailType, note: e.note })), ['time', 'event', 'note']),
          ].join('\n'),
        );
        return;
      }
      const incidents = await b.incidents(o.limit);
      print(command, incidents, () => table(incidents, ['incidentId', 'status', 'system', 'host', 'service', 'callsPlaced', 'waitingFor', 'openedAt']));
    });

  sub(program, 'calls', 'every call placed, newest incidents first (--json: what was heard, locally)').action(async (_o: unknown, command: Command) => {
    const calls = (await (await backend(command)).calls()) as unknown as Record<string, unknown>[];
    print(command, calls, () => table(calls, ['startedAt', 'destination', 'incidentId', 'attempt', 'digits', 'outcome', 'disconnectReason']));
  });

  const silence = sub(program, 'silence', 'silences (静観): alerts in a scope call nobody until a time');
  sub(silence, 'add', 'add a silence, or with --cron a maintenance window; open incidents it covers stop calling at once')
    .requiredOption('--system <system>')
    .option('--host <host>')
    .option('--service <service>')
    .addOption(new Option('--hours <n>', 'how long a one-off silence lasts (default 12)').argParser(number('--hours')).conflicts(['until', 'cron']))
    .addOption(new Option('--until <iso>', 'when a one-off silence ends; with --cron, when the windows stop (default: never)').argParser(isoTime))
    .addOption(new Option('--cron <expression>', 'a maintenance window: windows open at this EventBridge Scheduler cron, e.g. "cron(0 2 ? * SUN *)"'))
    .addOption(new Option('--duration <length>', 'with --cron: how long each window lasts, e.g. 90m, 2h, 1h30m (at most 7d)').argParser(duration))
    .addOption(new Option('--timezone <zone>', "with --cron: the zone the cron's times are read in, e.g. Asia/Tokyo or UTC"))
    .option('--reason <text>')
    .action(async (o: { system: string; host?: string; service?: string; hours?: number; until?: string; cron?: string; duration?: number; timezone?: string; reason?: string }, command: Command) => {
      const { duration: durationMinutes, ...rest } = o;
      if (o.cron === undefined && (durationMinutes !== undefined || o.timezone !== undefined)) throw new CliError(`${durationMinutes !== undefined ? '--duration' : '--timezone'} goes with --cron (a maintenance window); a one-off silence takes --hours or --until`);
      if (o.cron !== undefined && durationMinutes === undefined) throw new CliError('--duration is required with --cron: how long each window lasts, e.g. 2h');
      if (o.cron !== undefined && o.timezone === undefined) throw new CliError("--timezone is required with --cron: the zone the cron's times are read in, e.g. Asia/Tokyo or UTC");
      const added = await (await backend(command)).addSilence({ ...rest, ...(durationMinutes !== undefined ? { durationMinutes } : {}), createdBy: 'cli' });
      print(command, added, () => (added.cron ? `silence ${added.silenceId}: ${recurrenceText(added)}; ${added.window ? `in a window now: ${windowText(added.window, added.timezone ?? 'UTC')}` : `next window ${added.nextWindow ? windowText(added.nextWindow, added.timezone ?? 'UTC') : 'none'}`}` : `silence ${added.silenceId} until ${added.until}`));
    });
  sub(silence, 'list', 'every silence, active or not; a maintenance window with its current or next window in its zone').action(async (_o: unknown, command: Command) => {
    const silences = await (await backend(command)).listSilences();
    const rows = silences.map((s) => ({ ...s, recurrence: s.cron ? recurrenceText(s) : undefined, window: s.cron && (s.window ?? s.nextWindow) ? windowText((s.window ?? s.nextWindow)!, s.timezone ?? 'UTC') : undefined }));
    print(command, silences, () => table(rows, ['silenceId', 'scope', 'recurrence', 'window', 'from', 'until', 'active', 'createdBy', 'reason']));
  });
  sub(silence, 'remove', 'remove a silence (incidents it silenced stay silenced)')
    .argument('<id>')
    .action(async (id: string, _o: unknown, command: Command) => {
      await (await backend(command)).removeSilence(id);
      print(command, { removed: id }, () => `removed ${id}`);
    });

  sub(program, 'replay', 'replay the archive: timelines rebuild, nobody is called')
    .requiredOption('--from <iso>', 'start of the window', isoTime)
    .requiredOption('--to <iso>', 'end of the window', isoTime)
    .option('--name <name>', 'the replay name')
    .action(async (o: { from: string; to: string; name?: string }, command: Command) => {
      const from = new Date(o.from);
      const to = new Date(o.to);
      if (to <= from) throw new CliError('--to must be after --from');
      const name = o.name ?? `replay-${Date.now()}`;
      const state = await replay((await backend(command)).events(), name, from, to);
      print(command, { name, state }, () => `replay ${name}: ${state}`);
      if (state !== 'COMPLETED') code = 1;
    });

  const deadLetters = sub(program, 'dead-letters', 'deliveries that failed every retry');
  sub(deadLetters, 'list', 'list them').action(async (_o: unknown, command: Command) => {
    const letters = await (await backend(command)).deadLetters();
    print(command, letters, () =>
      table(
        letters.map((l) => ({ ...l, event: `${l.detailType} ${l.eventId}`, error: l.error.slice(0, 80) })),
        ['id', 'route', 'event', 'stage', 'attempts', 'failedAt', 'error'],
      ),
    );
  });
  sub(deadLetters, 'redrive', 'hand one (or all) back to the original route (handlers are idempotent)')
    .argument('[id]')
    .action(async (id: string | undefined, _o: unknown, command: Command) => {
      const redriven = await (await backend(command)).redrive(id);
      print(command, { redriven }, () => (redriven.length ? `redriven: ${redriven.join(', ')}` : 'nothing to redrive'));
    });

  sub(program, 'notifications', 'what the notification target was told (nobody answered, calls that cannot be placed, dead letters), newest first')
    .option('--limit <n>', 'how many', number('--limit'), 20)
    .action(async (o: { limit: number }, command: Command) => {
      const rows = await (await backend(command)).notifications(o.limit);
      print(command, rows, () => table(rows.map((r) => ({ ...r, subject: r.subject.replace(/^yobidashi: /, '') })) as unknown as Record<string, unknown>[], ['at', 'kind', 'subject', 'incidentId']));
    });

  const heartbeats = sub(program, 'heartbeats', "heartbeat monitors (a dead man's switch): a monitor that goes silent opens an incident");
  const heartbeatRows = (rows: MonitorRow[]) =>
    rows.map((m) => ({ ...m, interval: `${m.intervalSeconds}s`, grace: `${m.graceSeconds}s`, deadline: m.nextDeadline ?? (m.state === 'late' ? `late since ${m.missedAt}` : '') }));
  const HEARTBEAT_COLUMNS = ['system', 'name', 'state', 'interval', 'grace', 'lastSeenAt', 'deadline', 'incidentId'];
  sub(heartbeats, 'list', 'every monitor: interval, grace, last seen, state, next deadline, the incident its silence opened', { isDefault: true }).action(async (_o: unknown, command: Command) => {
    const rows = await (await backend(command)).heartbeats();
    print(command, rows, () => (rows.length ? table(heartbeatRows(rows), HEARTBEAT_COLUMNS) : 'no heartbeat monitors yet: the first heartbeat of a monitor registers it'));
  });
  for (const [verb, change, description] of [
    ['pause', 'paused', 'pause a monitor: it opens nothing until resumed'],
    ['resume', 'resumed', 'resume a monitor: late unless a heartbeat comes within its interval and grace from now'],
    ['remove', 'removed', 'remove a monitor and its schedule (its next heartbeat registers it again)'],
  ] as const) {
    sub(heartbeats, verb, description)
      .argument('<system>')
      .argument('<name>')
      .action(async (system: string, name: string, _o: unknown, command: Command) => {
        const row = await (await backend(command)).changeHeartbeat(system, name, change);
        print(command, row ?? { removed: { system, name } }, () => (row ? table(heartbeatRows([row]), HEARTBEAT_COLUMNS) : `removed ${name} of system ${system}`));
      });
  }

  const fault = sub(program, 'fault', 'rehearse a bad night in the local runtime');
  sub(fault, 'add', 'make a part of the local cloud fail like AWS would')
    .requiredOption('--target <target>', 'connect:StartOutboundVoiceContact, connect:DescribeContact, scheduler:CreateSchedule, dynamodb:*, events:PutEvents, lambda:Invoke or handler:<name>')
    .requiredOption('--error <code>', 'the AWS error code, e.g. ThrottlingException')
    .addOption(new Option('--for-seconds <n>', 'for this long (runtime time)').argParser(number('--for-seconds')).conflicts('times'))
    .addOption(new Option('--times <n>', 'for this many requests').argParser(number('--times')))
    .option('--message <text>')
    .action(async (o: { target: string; error: string; forSeconds?: number; times?: number; message?: string }, command: Command) => {
      const result = await localOnly(command, 'fault add').api<{ id: string; target: string; error: string; until?: string; remaining?: number }>('PUT', '/api/faults', o);
      print(command, result, () => `fault ${result.id}: ${result.target} answers ${result.error} ${result.until ? `until ${result.until}` : `${String(result.remaining)} times`}`);
    });
  sub(fault, 'list', 'the active faults').action(async (_o: unknown, command: Command) => {
    const faults = await localOnly(command, 'fault list').api<Record<string, unknown>[]>('GET', '/api/faults');
    print(command, faults, () => table(faults, ['id', 'target', 'error', 'until', 'remaining', 'hits']));
  });
  sub(fault, 'clear', 'clear every fault').action(async (_o: unknown, command: Command) => {
    const result = await localOnly(command, 'fault clear').api<{ cleared: number }>('DELETE', '/api/faults');
    print(command, result, () => `cleared ${result.cleared} fault${result.cleared === 1 ? '' : 's'}`);
  });

  sub(program, 'routes', 'the routing table; with --stack, the deployed rules against it (drift)').action(async (_o: unknown, command: Command) => {
    const g = globals(command);
    if (!(g.stack ?? process.env.YOBIDASHI_STACK) && !g.endpoint) {
      print(command, ROUTES, () => table(routeRows(), ROUTE_COLUMNS));
      return;
    }
    const drift = await routeDrift((await backend(command)).events());
    print(command, drift, () => table(drift as unknown as Record<string, unknown>[], ['route', 'bus', 'rule', 'state']));
    if (drift.some((d) => d.state !== 'same')) code = 1;
  });

  sub(program, 'test-pattern', 'does an EventBridge pattern match an event? (JSON; with --stack, AWS decides)')
    .argument('<pattern>')
    .argument('<event>')
    .action(async (pattern: string, event: string, _o: unknown, command: Command) => {
      const g = globals(command);
      let matched: boolean;
      if (g.stack ?? process.env.YOBIDASHI_STACK) matched = await testPatternRemotely((await backend(command)).events(), pattern, event);
      else {
        // Offline, the decision EventBridge's TestEventPattern makes (events/pattern/test-event-pattern.ts).
        try {
          matched = testEventPattern(pattern, event);
        } catch (error) {
          if (error instanceof InvalidEventPatternError) throw new CliError(error.awsMessage);
          if (error instanceof InvalidEventError) throw new CliError(`${error.message} (${error.detail})`);
          throw error;
        }
      }
      out.log(matched ? 'match' : 'no match');
      code = matched ? 0 : 1;
    });

  sub(program, 'doctor', 'check a deployment (or the local runtime): flow, calling, rules, dead letters, errors').action(async (_o: unknown, command: Command) => {
    const b = await backend(command);
    const checks: Check[] = [...(await b.doctor()), driftCheck(await routeDrift(b.events()))];
    print(command, checks, () => table(checks as unknown as Record<string, unknown>[], ['status', 'check', 'detail']));
    if (checks.some((c) => c.status === 'fail')) code = 1;
  });

  const localOnly = (command: Command, verb: string): LocalBackend => {
    const g = globals(command);
    if (g.stack ?? process.env.YOBIDASHI_STACK) throw new CliError(`${verb} rehearses faults in the local runtime only`);
    return new LocalBackend((g.endpoint ?? process.env.YOBIDASHI_ENDPOINT ?? 'http://127.0.0.1:4010').replace(/\/$/, ''));
  };

  if (argv.length === 0) {
    out.log(program.helpInformation().trimEnd());
    return 0;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof CliError) out.error(error.message);
    else if (error instanceof RosterFileError) out.error(error.problems.join('\n'));
    else throw error;
    return 2;
  }
}
