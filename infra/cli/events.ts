import { DescribeReplayCommand, ListRulesCommand, PutEventsCommand, StartReplayCommand, TestEventPatternCommand, type Rule } from '@aws-sdk/client-eventbridge';
import { BUS_NAME } from '../../events/envelope.ts';
import { DEFAULT_BUS_FORWARDS, ROUTES } from '../../events/routes.ts';
import { CliError, type Check, type EventBridgeTarget } from './backend.ts';

/**
 * The verbs that are EventBridge calls on either back end: only the client's endpoint and the
 * names differ (the local runtime's port, or AWS with the stack's bus and archive).
 */

export async function putEvent(target: EventBridgeTarget, source: string, detailType: string, detail: unknown): Promise<string> {
  const result = await target.client.send(new PutEventsCommand({ Entries: [{ EventBusName: target.busName, Source: source, DetailType: detailType, Detail: JSON.stringify(detail) }] }));
  const entry = result.Entries?.[0];
  if (!entry || entry.ErrorCode) throw new CliError(`rejected: ${entry?.ErrorCode ?? 'no answer'} ${entry?.ErrorMessage ?? ''}`.trim());
  return entry.EventId ?? '';
}

export async function replay(target: EventBridgeTarget, name: string, from: Date, to: Date, pollMs = 100, maxPolls = 6000): Promise<string> {
  await target.client.send(new StartReplayCommand({ ReplayName: name, EventSourceArn: target.archiveArn, EventStartTime: from, EventEndTime: to, Destination: { Arn: target.busArn } }));
  for (let i = 0; i < maxPolls; i++) {
    const replayed = await target.client.send(new DescribeReplayCommand({ ReplayName: name }));
    if (replayed.State === 'COMPLETED' || replayed.State === 'FAILED' || replayed.State === 'CANCELLED') return replayed.State;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  throw new CliError(`replay ${name} did not finish`);
}

/** AWS's own verdict on a pattern (the local mode uses our matcher, offline). */
export async function testPatternRemotely(target: EventBridgeTarget, pattern: string, event: string): Promise<boolean> {
  const result = await target.client.send(new TestEventPatternCommand({ EventPattern: pattern, Event: event }));
  return result.Result === true;
}

async function listAll(target: EventBridgeTarget, busName: string): Promise<Rule[]> {
  const rules: Rule[] = [];
  let next: string | undefined;
  do {
    const page = await target.client.send(new ListRulesCommand({ EventBusName: busName, ...(next ? { NextToken: next } : {}) }));
    rules.push(...(page.Rules ?? []));
    next = page.NextToken;
  } while (next);
  return rules;
}

/** Semantic equality of two event patterns (key order does not matter). */
function samePattern(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => samePattern(x, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && samePattern((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return a === b;
}

export interface RouteDrift {
  route: string;
  bus: string;
  rule?: string | undefined;
  state: 'same' | 'missing' | 'pattern differs' | 'disabled' | 'extra';
}

/**
 * The deployed rules against the routing table: each route must exist on the bus (its rule name
 * ends with `-<route>`, or is the route's name locally), enabled, with exactly the route's pattern;
 * and so must the default bus's forwards. Rules on the bus that no route explains are reported too.
 */
export async function routeDrift(target: EventBridgeTarget): Promise<RouteDrift[]> {
  const own = await listAll(target, target.busName);
  const onDefault = await listAll(target, 'default');
  const find = (rules: Rule[], name: string) => rules.find((r) => r.Name === name || r.Name?.endsWith(`-${name}`));
  const compare = (rules: Rule[], bus: string, name: string, pattern: unknown): RouteDrift => {
    const rule = find(rules, name);
    if (!rule) return { route: name, bus, state: 'missing' };
    const deployed = JSON.parse(rule.EventPattern ?? 'null') as unknown;
    if (!samePattern(deployed, pattern)) return { route: name, bus, rule: rule.Name, state: 'pattern differs' };
    if (rule.State !== 'ENABLED') return { route: name, bus, rule: rule.Name, state: 'disabled' };
    return { route: name, bus, rule: rule.Name, state: 'same' };
  };
  const report = [
    ...ROUTES.map((r) => compare(own, target.busName, r.name, r.eventPattern)),
    ...DEFAULT_BUS_FORWARDS.map((f) => compare(onDefault, 'default', f.name, f.eventPattern)),
  ];
  const explained = new Set(report.map((r) => r.rule).filter((n): n is string => n !== undefined));
  // The catch-all audit log rule is the stack's own, not a route.
  for (const rule of own) if (rule.Name && !explained.has(rule.Name) && !/audit|log/i.test(rule.Name)) report.push({ route: '(none)', bus: target.busName, rule: rule.Name, state: 'extra' });
  return report;
}

export function driftCheck(drift: readonly RouteDrift[]): Check {
  const off = drift.filter((d) => d.state !== 'same');
  return off.length === 0
    ? { check: 'rules match the routing table', status: 'ok', detail: `${drift.length} rules enabled with the route's pattern` }
    : { check: 'rules match the routing table', status: 'fail', detail: off.map((d) => `${d.rule ?? d.route} (${d.bus}): ${d.state}`).join('; ') };
}

export const LOCAL_BUS = BUS_NAME;
