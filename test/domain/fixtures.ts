import { parseAlertReceived, type NormalisedAlert } from '../../events/alerts.ts';
import { rosterSchema, type Roster, type RosterInput } from '../../domain/roster.ts';

export const T0 = Date.parse('2026-11-24T01:00:00Z'); // Tuesday 10:00 in Tokyo

export function roster(names: string[], extra: Partial<RosterInput> = {}, hours: (string | undefined)[] = []): Roster {
  return rosterSchema.parse({
    system: 'XYZ',
    responders: names.map((name, i) => ({
      name,
      phone: `+8190000000${String(i).padStart(2, '0')}`,
      language: i % 2 ? 'en-US' : 'ja-JP',
      timezone: 'Asia/Tokyo',
      ...(hours[i] ? { hours: hours[i] } : {}),
    })),
    ...extra,
  });
}

export function alert(overrides: Record<string, unknown> = {}): NormalisedAlert {
  const parsed = parseAlertReceived({ systemname: 'XYZ', host: 'server1', service: 'CPU Utilization', ...overrides });
  const first = parsed.alerts[0];
  if (!first) throw new Error(`bad fixture alert: ${JSON.stringify(parsed.rejected)}`);
  return first;
}
