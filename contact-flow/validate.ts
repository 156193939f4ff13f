import { ATTRIBUTE_KEY, CALL_ATTRIBUTES } from './attributes.ts';
import type { RawAction, RawFlow } from './flow-language.ts';
import { assertWellFormedSsml } from './ssml.ts';

/**
 * Checks flow content against Amazon Connect's documented limits before anything is deployed:
 * a flow CreateContactFlow would reject, or one with a dead end, fails the build here instead.
 * It also checks that the flow reads only contact attributes the call handler sets
 * (contact-flow/attributes.ts) or the flow sets itself, so a misspelt `$.Attributes.x` (which
 * Connect would read as empty) fails the build too.
 */
export const LIMITS = { maxActions: 250, maxContentChars: 256_000, maxIdentifier: 50, lambdaSeconds: [1, 8] } as const;

const FORBIDDEN_IDENTIFIER = /[%:(\\/)=$,;[\]{}]/;
const RESERVED = new Set([
  '__proto__', 'constructor', '__defineGetter__', '__defineSetter__', 'toString', 'hasOwnProperty',
  'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString', 'valueOf',
]);
/** Which errors each action type must handle (so no failure leaves a call hanging). */
const REQUIRED_ERRORS: Record<string, string[]> = {
  GetParticipantInput: ['NoMatchingError'],
  InvokeLambdaFunction: ['NoMatchingError'],
  MessageParticipant: ['NoMatchingError'],
  UpdateContactAttributes: ['NoMatchingError'],
  UpdateContactData: ['NoMatchingError'],
  UpdateContactTextToSpeechVoice: ['NoMatchingError'],
  Compare: ['NoMatchingCondition'],
};
const TERMINAL = new Set(['DisconnectParticipant']);

function targets(action: RawAction): string[] {
  const t = action.Transitions ?? {};
  return [
    ...(t.NextAction ? [t.NextAction] : []),
    ...(t.Conditions ?? []).map((c) => c.NextAction),
    ...(t.Errors ?? []).map((e) => e.NextAction),
  ];
}

function nonStringScalars(value: unknown, path: string): string[] {
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return [path];
  if (typeof value === 'object') return Object.entries(value as object).flatMap(([k, v]) => nonStringScalars(v, `${path}.${k}`));
  return [];
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(strings);
  return [];
}

/** The contact attributes an action reads (`$.Attributes.x` anywhere in its parameters). */
function attributesRead(action: RawAction): string[] {
  return strings(action.Parameters).flatMap((text) => [...text.matchAll(/\$\.Attributes\.([A-Za-z0-9_-]+)/g)].map((m) => m[1] as string));
}

/**
 * References Connect could read as a longer name than meant: `$.Attributes.x` or `$.External.x`
 * immediately followed by a word character (a letter of any script, a digit, `_`), as in
 * `$.External.hours時間`, or by `.` and a word character (a nested path, `$.Attributes.count.x`).
 * Put the reference in its own SSML tag, or a space or punctuation after it.
 */
const REFERENCE = /\$\.(?:Attributes|External)\.[A-Za-z0-9_-]+/g;
const WORD = /^[\p{L}\p{M}\p{N}_]|^\.[\p{L}\p{M}\p{N}_]/u;

function runOnReferences(action: RawAction): string[] {
  return strings(action.Parameters).flatMap((text) =>
    [...text.matchAll(REFERENCE)].flatMap((m) => {
      const after = text.slice((m.index ?? 0) + m[0].length);
      return WORD.test(after) ? [`${m[0]}${after.slice(0, 3)}`] : [];
    }),
  );
}

export function validateFlow(flow: RawFlow, content = JSON.stringify(flow)): string[] {
  const problems: string[] = [];
  if (flow.Version !== '2019-10-30') problems.push(`Version must be "2019-10-30", not "${flow.Version}"`);
  if (flow.Actions.length > LIMITS.maxActions) problems.push(`${flow.Actions.length} actions; Connect allows ${LIMITS.maxActions}`);
  if (content.length > LIMITS.maxContentChars) problems.push(`content is ${content.length} characters; Connect allows ${LIMITS.maxContentChars}`);

  const ids = new Map<string, RawAction>();
  for (const action of flow.Actions) {
    const id = action.Identifier;
    if (ids.has(id)) problems.push(`identifier "${id}" is used twice`);
    ids.set(id, action);
    if (id.length === 0 || id.length > LIMITS.maxIdentifier) problems.push(`identifier "${id}" must be 1-${LIMITS.maxIdentifier} characters`);
    if (FORBIDDEN_IDENTIFIER.test(id)) problems.push(`identifier "${id}" contains one of % : ( \\ / ) = $ , ; [ ] { }`);
    if (RESERVED.has(id)) problems.push(`identifier "${id}" is reserved`);
  }
  if (!ids.has(flow.StartAction)) problems.push(`StartAction "${flow.StartAction}" is not an action`);

  // The flow reads only what the call handler sets (contact-flow/attributes.ts) or what it sets itself.
  const known = new Set<string>(CALL_ATTRIBUTES);
  for (const action of flow.Actions) {
    if (action.Type !== 'UpdateContactAttributes') continue;
    for (const key of Object.keys((action.Parameters.Attributes ?? {}) as object)) {
      known.add(key);
      if (!ATTRIBUTE_KEY.test(key)) problems.push(`${action.Identifier} (${action.Type}): attribute key "${key}" may hold only letters, digits, - and _`);
    }
  }
  for (const action of flow.Actions) {
    for (const runOn of runOnReferences(action)) {
      problems.push(`${action.Identifier} (${action.Type}): "${runOn}…" runs a reference into the text after it; Connect would read a longer name (delimit it with an SSML tag, a space or punctuation)`);
    }
    for (const name of new Set(attributesRead(action))) {
      if (!known.has(name)) problems.push(`${action.Identifier} (${action.Type}): reads $.Attributes.${name}, which neither the call handler nor the flow sets`);
    }
  }

  for (const action of flow.Actions) {
    const where = `${action.Identifier} (${action.Type})`;
    const t = action.Transitions ?? {};
    for (const target of targets(action)) if (!ids.has(target)) problems.push(`${where}: NextAction "${target}" does not exist`);
    for (const path of nonStringScalars(action.Parameters, 'Parameters')) problems.push(`${where}: ${path} must be a string`);
    if (!TERMINAL.has(action.Type) && !t.NextAction && !(t.Conditions ?? []).length) problems.push(`${where}: no way forward`);
    const handled = new Set((t.Errors ?? []).map((e) => e.ErrorType));
    for (const error of REQUIRED_ERRORS[action.Type] ?? []) if (!handled.has(error as never)) problems.push(`${where}: no ${error} branch`);

    const p = action.Parameters;
    if (action.Type === 'GetParticipantInput') {
      const conditions = t.Conditions ?? [];
      if (p.StoreInput === 'True' && conditions.length) problems.push(`${where}: conditions are only allowed with StoreInput False`);
      if (p.StoreInput === 'False') {
        for (const c of conditions) {
          const [operand = ''] = c.Condition.Operands;
          if (c.Condition.Operator !== 'Equals' || operand.length !== 1) problems.push(`${where}: menu conditions must be Equals on a single character, not ${c.Condition.Operator} "${operand}"`);
        }
        for (const error of ['InputTimeLimitExceeded', 'NoMatchingCondition']) if (!handled.has(error as never)) problems.push(`${where}: no ${error} branch`);
      }
      if (p.InputTimeLimitSeconds === undefined) problems.push(`${where}: InputTimeLimitSeconds is required`);
    }
    if (action.Type === 'InvokeLambdaFunction') {
      const seconds = Number(p.InvocationTimeLimitSeconds);
      const [min, max] = LIMITS.lambdaSeconds;
      if (p.InvocationType !== 'ASYNCHRONOUS' && !(seconds >= min && seconds <= max)) problems.push(`${where}: InvocationTimeLimitSeconds must be ${min}-${max}`);
    }
    if (action.Type === 'Loop') {
      const operands = (t.Conditions ?? []).map((c) => c.Condition.Operands[0]).sort();
      if (operands.join() !== 'ContinueLooping,DoneLooping') problems.push(`${where}: needs ContinueLooping and DoneLooping conditions`);
    }
    if (typeof p.SSML === 'string') {
      try {
        assertWellFormedSsml(p.SSML);
      } catch (error) {
        problems.push(`${where}: ${(error as Error).message}`);
      }
    }
  }

  // Every action reachable; every path ends in a disconnect.
  const seen = new Set<string>();
  const queue = [flow.StartAction];
  while (queue.length) {
    const id = queue.pop() as string;
    if (seen.has(id) || !ids.has(id)) continue;
    seen.add(id);
    queue.push(...targets(ids.get(id) as RawAction));
  }
  for (const id of ids.keys()) if (!seen.has(id)) problems.push(`${id}: unreachable from ${flow.StartAction}`);
  return problems;
}

export function assertValidFlow(flow: RawFlow, content?: string): void {
  const problems = validateFlow(flow, content);
  if (problems.length) throw new Error(`invalid contact flow:\n  ${problems.join('\n  ')}`);
}
