import type { Condition, ErrorType, RawAction, RawFlow } from './flow-language.ts';
import { ssmlToText } from './ssml.ts';

/**
 * Runs contact-flow JSON for one outbound contact against a scripted callee, producing what Amazon
 * Connect would: what was spoken (language, voice), attribute updates, tags, Lambda invocations,
 * the disconnect reason and the times of it all. Time is simulated: a run yields the moments it
 * needs to wait for, so a caller can drive it on a virtual clock (the local Connect simulator) or
 * straight to the end (`runContact`). An action type it does not know stops the run with an error
 * naming it; nothing is skipped silently.
 */

export const RING_TIMEOUT_MS = 60_000;
const KEY_GAP_MS = 250;
const MAX_STEPS = 1_000;
/** Rough text-to-speech pace, characters per second: enough to place key presses "during" speech. */
const SPEECH_RATE: Record<string, number> = { 'ja-JP': 8, 'en-US': 15 };

export interface KeyPress {
  /** One or more keys, e.g. "1" or "912#", pressed 250 ms apart. */
  keys: string;
  /** Seconds after the callee answered. */
  atSeconds: number;
}

export type Callee =
  | { kind: 'busy' }
  | { kind: 'invalid' }
  | { kind: 'ring-out' }
  | { kind: 'answer'; afterSeconds?: number; presses?: KeyPress[]; hangUpAfterSeconds?: number };

export interface ContactFlowEventPayload {
  Name: 'ContactFlowEvent';
  Details: {
    ContactData: { ContactId: string; InitialContactId: string; Channel: 'VOICE'; InitiationMethod: 'API'; Attributes: Record<string, string>; LanguageCode: string };
    Parameters: Record<string, string>;
  };
}

export type LambdaInvoker = (arn: string, event: ContactFlowEventPayload) => Promise<unknown>;

export interface Speech {
  atMs: number;
  endMs: number;
  text: string;
  language: string;
  voice: string;
  engine: string;
  actionId: string;
  interrupted: boolean;
}

export type FlowLogEntry =
  | { atMs: number; kind: 'action'; actionId: string; type: string }
  | { atMs: number; kind: 'input'; actionId: string; keys: string; result: string }
  | { atMs: number; kind: 'attributes'; attributes: Record<string, string> }
  | { atMs: number; kind: 'tags'; tags: Record<string, string> }
  | { atMs: number; kind: 'lambda'; arn: string; parameters: Record<string, string>; response?: Record<string, string>; error?: string };

export interface ContactResult {
  contactId: string;
  state: 'ringing' | 'connected' | 'ended';
  startedAtMs: number;
  connectedAtMs?: number;
  endedAtMs?: number;
  disconnectReason?: string;
  attributes: Record<string, string>;
  tags: Record<string, string>;
  transcript: Speech[];
  log: FlowLogEntry[];
}

export class UnsupportedActionError extends Error {
  constructor(readonly actionType: string, readonly identifier: string) {
    super(`contact flow action "${identifier}" has type ${actionType}, which the interpreter does not support`);
    this.name = 'UnsupportedActionError';
  }
}

export interface ContactOptions {
  contactId: string;
  attributes: Record<string, string>;
  callee: Callee;
  invokeLambda: LambdaInvoker;
  startMs: number;
  /** Lambda time limits are enforced against real time: a hung function must not hang the call. */
  lambdaTimeoutScale?: number;
}

interface KeyEvent {
  atMs: number;
  key: string;
  used: boolean;
}

export class ContactRun {
  readonly result: ContactResult;
  private now: number;
  private readonly actions: Map<string, RawAction>;
  private readonly keys: KeyEvent[] = [];
  private readonly loops = new Map<string, number>();
  private external: Record<string, string> = {};
  private stored = '';
  private language = 'en-US';
  private voice = { name: 'Joanna', engine: 'Standard' };
  private hangUpAtMs = Number.POSITIVE_INFINITY;
  private readonly steps: AsyncGenerator<number, void>;

  constructor(
    private readonly flow: RawFlow,
    private readonly options: ContactOptions,
  ) {
    this.now = options.startMs;
    this.actions = new Map(flow.Actions.map((a) => [a.Identifier, a]));
    this.result = {
      contactId: options.contactId,
      state: 'ringing',
      startedAtMs: options.startMs,
      attributes: { ...options.attributes },
      tags: {},
      transcript: [],
      log: [],
    };
    this.steps = this.run();
  }

  /** Runs until the contact needs time to pass; returns when to call again, or undefined when over. */
  async step(): Promise<number | undefined> {
    if (this.result.state === 'ended') return undefined;
    const next = await this.steps.next();
    return next.done ? undefined : next.value;
  }

  /** StopContact: the contact ends now, wherever the flow was. */
  stop(atMs: number, reason = 'API'): void {
    if (this.result.state === 'ended') return;
    // While suspended, `now` already holds the moment the run is waiting for; the stop is earlier.
    this.now = atMs;
    this.interruptSpeech(this.now);
    this.end(reason);
  }

  private async *run(): AsyncGenerator<number, void> {
    const { callee, startMs } = this.options;
    if (callee.kind === 'busy') {
      yield (this.now = startMs + 3_000);
      return this.end('TELECOM_BUSY');
    }
    if (callee.kind === 'invalid') {
      yield (this.now = startMs + 1_000);
      return this.end('TELECOM_NUMBER_INVALID');
    }
    const answerAfter = callee.kind === 'answer' ? (callee.afterSeconds ?? 5) * 1000 : Number.POSITIVE_INFINITY;
    if (callee.kind === 'ring-out' || answerAfter >= RING_TIMEOUT_MS) {
      yield (this.now = startMs + RING_TIMEOUT_MS);
      return this.end('TELECOM_UNANSWERED');
    }
    yield (this.now = startMs + answerAfter);
    if (this.isOver()) return;
    this.result.state = 'connected';
    this.result.connectedAtMs = this.now;
    if (callee.kind === 'answer') {
      const answeredAt = this.now;
      if (callee.hangUpAfterSeconds !== undefined) this.hangUpAtMs = answeredAt + callee.hangUpAfterSeconds * 1000;
      for (const press of callee.presses ?? []) {
        [...press.keys].forEach((key, i) => this.keys.push({ atMs: answeredAt + press.atSeconds * 1000 + i * KEY_GAP_MS, key, used: false }));
      }
      this.keys.sort((a, b) => a.atMs - b.atMs);
    }

    let current: string | undefined = this.flow.StartAction;
    for (let steps = 0; current !== undefined; steps++) {
      if (steps > MAX_STEPS) throw new Error(`contact flow ran ${MAX_STEPS} actions without ending: a loop with no exit?`);
      const action = this.actions.get(current);
      if (!action) throw new Error(`contact flow has no action "${current}"`);
      this.result.log.push({ atMs: this.now, kind: 'action', actionId: action.Identifier, type: action.Type });
      const outcome = await this.execute(action);
      if (outcome.waitUntil !== undefined && outcome.waitUntil > this.now) {
        const until = Math.min(outcome.waitUntil, this.hangUpAtMs);
        yield (this.now = until);
      }
      if (this.isOver()) return;
      if (this.now >= this.hangUpAtMs) {
        this.interruptSpeech(this.hangUpAtMs);
        return this.end('CUSTOMER_DISCONNECT');
      }
      current = outcome.next;
    }
  }

  private isOver(): boolean {
    return this.result.state === 'ended';
  }

  private end(reason: string): void {
    this.result.state = 'ended';
    this.result.endedAtMs = this.now;
    this.result.disconnectReason = reason;
  }

  private interruptSpeech(atMs: number): void {
    const last = this.result.transcript.at(-1);
    if (last && last.endMs > atMs) {
      last.endMs = atMs;
      last.interrupted = true;
    }
  }

  private async execute(action: RawAction): Promise<{ next: string | undefined; waitUntil?: number }> {
    const p = action.Parameters;
    const t = action.Transitions;
    switch (action.Type) {
      case 'Compare': {
        const value = this.resolve(String(p.ComparisonValue ?? ''));
        const hit = (t.Conditions ?? []).find((c) => conditionHolds(c, value));
        return { next: hit?.NextAction ?? this.error(action, 'NoMatchingCondition') ?? t.NextAction };
      }
      case 'Loop': {
        const count = (this.loops.get(action.Identifier) ?? 0) + 1;
        const limit = Number(p.LoopCount ?? 0);
        const looping = count <= limit;
        this.loops.set(action.Identifier, looping ? count : 0);
        const operand = looping ? 'ContinueLooping' : 'DoneLooping';
        return { next: (t.Conditions ?? []).find((c) => c.Condition.Operands[0] === operand)?.NextAction ?? t.NextAction };
      }
      case 'UpdateContactTextToSpeechVoice':
        this.voice = { name: this.resolve(String(p.TextToSpeechVoice)), engine: String(p.TextToSpeechEngine ?? 'Standard') };
        return { next: t.NextAction };
      case 'UpdateContactData':
        if (typeof p.LanguageCode === 'string') this.language = this.resolve(p.LanguageCode);
        return { next: t.NextAction };
      case 'TagContact': {
        const tags = this.resolveMap(p.Tags);
        Object.assign(this.result.tags, tags);
        this.result.log.push({ atMs: this.now, kind: 'tags', tags });
        return { next: t.NextAction };
      }
      case 'UpdateContactAttributes': {
        const attributes = this.resolveMap(p.Attributes);
        Object.assign(this.result.attributes, attributes);
        this.result.log.push({ atMs: this.now, kind: 'attributes', attributes });
        return { next: t.NextAction };
      }
      case 'MessageParticipant': {
        const speech = this.speak(action);
        return { next: t.NextAction, waitUntil: speech.endMs };
      }
      case 'GetParticipantInput':
        return p.StoreInput === 'True' ? this.storeInput(action) : this.menuInput(action);
      case 'InvokeLambdaFunction':
        return { next: await this.invoke(action) };
      case 'DisconnectParticipant':
        this.end('CONTACT_FLOW_DISCONNECT');
        return { next: undefined };
      default:
        throw new UnsupportedActionError(action.Type, action.Identifier);
    }
  }

  private error(action: RawAction, type: ErrorType): string | undefined {
    return action.Transitions.Errors?.find((e) => e.ErrorType === type)?.NextAction;
  }

  private speak(action: RawAction): Speech {
    const p = action.Parameters;
    const raw = typeof p.SSML === 'string' ? p.SSML : String(p.Text ?? '');
    const text = typeof p.SSML === 'string' ? ssmlToText(this.resolve(raw)) : this.resolve(raw);
    const pauses = [...raw.matchAll(/<break time="(\d+)ms"\/>/g)].reduce((sum, m) => sum + Number(m[1]), 0);
    const duration = Math.max(500, Math.round(([...text].length / (SPEECH_RATE[this.language] ?? 12)) * 1000) + pauses);
    const speech: Speech = {
      atMs: this.now,
      endMs: this.now + duration,
      text,
      language: this.language,
      voice: this.voice.name,
      engine: this.voice.engine,
      actionId: action.Identifier,
      interrupted: false,
    };
    this.result.transcript.push(speech);
    return speech;
  }

  /** Keys pressed before this prompt started are gone, as on a real call. */
  private nextKey(fromMs: number, beforeMs: number): KeyEvent | undefined {
    const key = this.keys.find((k) => !k.used && k.atMs >= fromMs && k.atMs < beforeMs && k.atMs < this.hangUpAtMs);
    if (key) key.used = true;
    for (const k of this.keys) if (k.atMs < fromMs) k.used = true;
    return key;
  }

  /** A DTMF menu: the first key, even while the prompt is still playing, picks the branch. */
  private menuInput(action: RawAction): { next: string | undefined; waitUntil: number } {
    const speech = this.speak(action);
    const timeout = Number(action.Parameters.InputTimeLimitSeconds ?? 5) * 1000;
    const key = this.nextKey(speech.atMs, speech.endMs + timeout);
    if (!key) {
      this.result.log.push({ atMs: speech.endMs + timeout, kind: 'input', actionId: action.Identifier, keys: '', result: 'InputTimeLimitExceeded' });
      return { next: this.error(action, 'InputTimeLimitExceeded'), waitUntil: speech.endMs + timeout };
    }
    if (key.atMs < speech.endMs) {
      speech.endMs = key.atMs;
      speech.interrupted = true;
    }
    const hit = (action.Transitions.Conditions ?? []).find((c) => conditionHolds(c, key.key));
    this.result.log.push({ atMs: key.atMs, kind: 'input', actionId: action.Identifier, keys: key.key, result: hit ? 'condition' : 'NoMatchingCondition' });
    return { next: hit?.NextAction ?? this.error(action, 'NoMatchingCondition'), waitUntil: key.atMs };
  }

  /** Stored input: digits until the terminator, the maximum length, or a pause as long as the time limit. */
  private storeInput(action: RawAction): { next: string | undefined; waitUntil: number } {
    const p = action.Parameters as { InputTimeLimitSeconds?: string; DTMFConfiguration?: { InputTerminationSequence?: string }; InputValidation?: { CustomValidation?: { MaximumLength?: string } } };
    const speech = this.speak(action);
    const timeout = Number(p.InputTimeLimitSeconds ?? 5) * 1000;
    const terminator = p.DTMFConfiguration?.InputTerminationSequence ?? '#';
    const maxLength = Number(p.InputValidation?.CustomValidation?.MaximumLength ?? 20);
    let digits = '';
    let terminated = false;
    let deadline = speech.endMs + timeout;
    let at = speech.atMs;
    let key = this.nextKey(at, deadline);
    if (key && key.atMs < speech.endMs) {
      speech.endMs = key.atMs;
      speech.interrupted = true;
    }
    while (key) {
      at = key.atMs;
      if (key.key === terminator) {
        terminated = true;
        break;
      }
      digits += key.key;
      if (digits.length >= maxLength) {
        // A terminator keyed straight after the last allowed digit still belongs to this entry.
        const after = this.keys.find((k) => !k.used && k.atMs >= at && k.atMs < at + timeout);
        if (after?.key === terminator) {
          after.used = true;
          at = after.atMs;
          terminated = true;
        }
        break;
      }
      deadline = at + timeout;
      key = this.nextKey(at, deadline);
    }
    const nothing = digits === '' && !terminated;
    this.stored = nothing ? 'Timeout' : digits;
    const doneAt = nothing ? deadline : key ? at : deadline;
    this.result.log.push({ atMs: doneAt, kind: 'input', actionId: action.Identifier, keys: digits + (terminated ? terminator : ''), result: `stored "${this.stored}"` });
    return { next: action.Transitions.NextAction, waitUntil: doneAt };
  }

  private async invoke(action: RawAction): Promise<string | undefined> {
    const p = action.Parameters;
    const arn = String(p.LambdaFunctionARN);
    const parameters = this.resolveMap(p.LambdaInvocationAttributes);
    const event: ContactFlowEventPayload = {
      Name: 'ContactFlowEvent',
      Details: {
        ContactData: {
          ContactId: this.options.contactId,
          InitialContactId: this.options.contactId,
          Channel: 'VOICE',
          InitiationMethod: 'API',
          Attributes: { ...this.result.attributes },
          LanguageCode: this.language,
        },
        Parameters: parameters,
      },
    };
    const limitMs = Number(p.InvocationTimeLimitSeconds ?? 8) * 1000 * (this.options.lambdaTimeoutScale ?? 1);
    const entry: FlowLogEntry & { kind: 'lambda' } = { atMs: this.now, kind: 'lambda', arn, parameters };
    this.result.log.push(entry);
    try {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${limitMs} ms`)), limitMs);
      });
      const response = await Promise.race([this.options.invokeLambda(arn, event), timeout]).finally(() => clearTimeout(timer));
      if (!isStringMap(response)) throw new Error('response is not a flat map of strings (ResponseType STRING_MAP)');
      entry.response = response;
      this.external = response;
      return action.Transitions.NextAction;
    } catch (error) {
      entry.error = error instanceof Error ? error.message : String(error);
      return this.error(action, 'NoMatchingError');
    }
  }

  private resolve(text: string): string {
    return text.replace(/\$\.(Attributes|External)\.([A-Za-z0-9_-]+)|\$\.(StoredCustomerInput|LanguageCode|ContactId)/g, (_, scope?: string, name?: string, special?: string) => {
      if (scope === 'Attributes') return this.result.attributes[name ?? ''] ?? '';
      if (scope === 'External') return this.external[name ?? ''] ?? '';
      if (special === 'StoredCustomerInput') return this.stored;
      if (special === 'LanguageCode') return this.language;
      return this.options.contactId;
    });
  }

  private resolveMap(value: unknown): Record<string, string> {
    const map: Record<string, string> = {};
    for (const [k, v] of Object.entries((value ?? {}) as Record<string, unknown>)) map[k] = this.resolve(String(v));
    return map;
  }
}

function isStringMap(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');
}

function conditionHolds(condition: Condition, value: string): boolean {
  const [operand = ''] = condition.Condition.Operands;
  const number = value.trim() === '' ? Number.NaN : Number(value);
  switch (condition.Condition.Operator) {
    case 'Equals':
      return value === operand;
    case 'TextStartsWith':
      return value.startsWith(operand);
    case 'TextEndsWith':
      return value.endsWith(operand);
    case 'TextContains':
      return value.includes(operand);
    // Numeric operators only hold for numbers: "Timeout" or "" never compares.
    case 'NumberGreaterThan':
      return number > Number(operand);
    case 'NumberGreaterOrEqualTo':
      return number >= Number(operand);
    case 'NumberLessThan':
      return number < Number(operand);
    case 'NumberLessOrEqualTo':
      return number <= Number(operand);
  }
}

/** Drives a contact to its end, straight through simulated time. */
export async function runContact(flow: RawFlow, options: ContactOptions): Promise<ContactResult> {
  const run = new ContactRun(flow, options);
  while ((await run.step()) !== undefined);
  return run.result;
}
