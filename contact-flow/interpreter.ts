import type { Condition, ErrorType, RawAction, RawFlow } from './flow-language.ts';
import { ssmlToText } from './ssml.ts';

/**
 * Runs contact-flow JSON for one outbound contact against a callee, producing what Amazon Connect
 * would: what was spoken (language, voice), attribute updates, tags, Lambda invocations, the
 * disconnect reason and the times of it all. Time is simulated: a run yields the moments it needs
 * to wait for, so a caller can drive it on a virtual clock (the local Connect simulator) or
 * straight to the end (`runContact`). An action type it does not know stops the run with an error
 * naming it; nothing is skipped silently.
 *
 * The callee is live: answering, declining, keys and hanging up reach the run as they happen
 * (`answer`, `reject`, `press`, `hangUp`), and the run wakes early to take them in (`step(atMs)`
 * with the time they came). A scripted callee (`busy`, `answer` with presses…) is the same live
 * callee with its actions loaded in advance, so both go through one implementation of what a
 * prompt makes of keys.
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
  | { kind: 'answer'; afterSeconds?: number; presses?: KeyPress[]; hangUpAfterSeconds?: number }
  /** Acts while the call goes on, through ContactRun's answer, reject, press and hangUp. */
  | { kind: 'live' };

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

/** A live callee's action the call is in no state for (answering a call that is already connected…). */
export class CalleeActionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CalleeActionError';
  }
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
  /** When the key is keyed (a burst is keyed 250 ms apart). */
  atMs: number;
  /** When the callee sent it: a burst (a live press, or one scripted press) is sent whole, at its start. */
  sentAtMs: number;
  key: string;
  used: boolean;
}

const KEYS = /^[0-9*#]+$/;

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
  /** When the callee answers, declines or hangs up: known in advance for a scripted callee, as it happens for a live one. */
  private answerAtMs = Number.POSITIVE_INFINITY;
  private rejection: { atMs: number; reason: string } | undefined;
  private hangUpAtMs = Number.POSITIVE_INFINITY;
  /** The latest time the driver has reached (`step(atMs)`, or the moment the run asked to wake). */
  private present: number;
  private waitingFor: number | undefined;
  /** Bumped by every action of the callee: a run waiting for a moment wakes early to look again. */
  private inputs = 0;
  private readonly steps: AsyncGenerator<number, void>;

  constructor(
    private readonly flow: RawFlow,
    private readonly options: ContactOptions,
  ) {
    this.now = options.startMs;
    this.present = options.startMs;
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
    this.preload(options.callee);
    this.steps = this.run();
  }

  /**
   * Runs until the contact needs time to pass; returns when to call again, or undefined when over.
   * `atMs` is the time now: the moment asked for, or earlier when the callee acted (the run looks
   * at what it did and asks again). Without it, time jumps to the moment the run asked for.
   */
  async step(atMs?: number): Promise<number | undefined> {
    if (this.result.state === 'ended') return undefined;
    this.present = Math.max(this.present, atMs ?? this.waitingFor ?? this.present);
    const next = await this.steps.next();
    this.waitingFor = next.done ? undefined : next.value;
    return this.waitingFor;
  }

  /** StopContact: the contact ends now, wherever the flow was. */
  stop(atMs: number, reason = 'API'): void {
    if (this.result.state === 'ended') return;
    this.now = Math.max(this.now, atMs);
    this.interruptSpeech(this.now);
    this.end(reason);
  }

  /** A live callee answers a ringing call; the run connects at its next step. */
  answer(atMs: number): void {
    this.expectRinging('answer');
    this.answerAtMs = this.input(atMs);
  }

  /** A live callee declines a ringing call (TELECOM_UNANSWERED) or is busy (TELECOM_BUSY). */
  reject(atMs: number, reason: string): void {
    this.expectRinging('reject');
    this.rejection = { atMs: this.input(atMs), reason };
  }

  /** A live callee keys `keys` (0-9, *, #), 250 ms apart, from `atMs` or after a burst still being keyed. */
  press(keys: string, atMs: number): void {
    if (!KEYS.test(keys)) throw new CalleeActionError(`keys may hold only 0-9, * and #: "${keys}"`);
    this.expectConnected('press keys');
    const sentAt = this.input(atMs);
    const last = this.keys.at(-1);
    const first = Math.max(sentAt, last ? last.atMs + KEY_GAP_MS : sentAt);
    [...keys].forEach((key, i) => this.keys.push({ atMs: first + i * KEY_GAP_MS, sentAtMs: sentAt, key, used: false }));
  }

  /** A live callee hangs up a connected call (CUSTOMER_DISCONNECT). */
  hangUp(atMs: number): void {
    this.expectConnected('hang up');
    this.hangUpAtMs = Math.min(this.hangUpAtMs, this.input(atMs));
  }

  /** The keys the callee had sent by `atMs` (not after the call ended), in order. */
  keysSent(atMs: number): string {
    const until = Math.min(atMs, this.result.endedAtMs ?? Number.POSITIVE_INFINITY);
    return this.keys
      .filter((k) => k.sentAtMs <= until)
      .map((k) => k.key)
      .join('');
  }

  private expectRinging(what: string): void {
    if (this.options.callee.kind !== 'live') throw new CalleeActionError(`a scripted callee cannot ${what}`);
    if (this.result.state !== 'ringing' || this.rejection || this.answerAtMs !== Number.POSITIVE_INFINITY) throw new CalleeActionError(`cannot ${what}: the call is not ringing`);
  }

  private expectConnected(what: string): void {
    if (this.options.callee.kind !== 'live') throw new CalleeActionError(`a scripted callee cannot ${what}`);
    if (this.result.state !== 'connected' || this.hangUpAtMs !== Number.POSITIVE_INFINITY) throw new CalleeActionError(`cannot ${what}: the call is not connected`);
  }

  /** Something the callee did at `atMs` (never before what the run has already lived through). */
  private input(atMs: number): number {
    const at = Math.max(atMs, this.now);
    this.present = Math.max(this.present, at);
    this.inputs++;
    return at;
  }

  /** A scripted callee is a live one whose actions are known from the start. */
  private preload(callee: Callee): void {
    const { startMs } = this.options;
    if (callee.kind === 'busy') this.rejection = { atMs: startMs + 3_000, reason: 'TELECOM_BUSY' };
    if (callee.kind === 'invalid') this.rejection = { atMs: startMs + 1_000, reason: 'TELECOM_NUMBER_INVALID' };
    if (callee.kind !== 'answer') return;
    const answeredAt = startMs + (callee.afterSeconds ?? 5) * 1000;
    if (answeredAt >= startMs + RING_TIMEOUT_MS) return; // it would answer after the ring timeout: it never does
    this.answerAtMs = answeredAt;
    if (callee.hangUpAfterSeconds !== undefined) this.hangUpAtMs = answeredAt + callee.hangUpAfterSeconds * 1000;
    for (const press of callee.presses ?? []) {
      const sentAtMs = answeredAt + press.atSeconds * 1000;
      [...press.keys].forEach((key, i) => {
        const atMs = sentAtMs + i * KEY_GAP_MS;
        if (atMs < this.hangUpAtMs) this.keys.push({ atMs, sentAtMs, key, used: false });
      });
    }
    this.keys.sort((a, b) => a.atMs - b.atMs);
  }

  /**
   * Waits until `until`, or less when the callee acts first (the caller looks again at what it
   * did). `yieldOnce`: ask the driver for the moment even when it has come (ringing always does).
   */
  private async *wait(until: number, yieldOnce = false): AsyncGenerator<number, void> {
    const seen = this.inputs;
    for (let yielded = false; ; yielded = true) {
      if (yielded || !yieldOnce) {
        if (this.present >= until) {
          this.now = Math.max(this.now, until);
          return;
        }
        if (this.inputs !== seen) {
          this.now = Math.max(this.now, this.present);
          return;
        }
      }
      yield until;
    }
  }

  /** Lets time pass until `until`, or until the callee hangs up. */
  private async *sleep(until: number): AsyncGenerator<number, void> {
    for (;;) {
      const target = Math.min(until, this.hangUpAtMs);
      if (this.now >= target) return;
      yield* this.wait(target);
    }
  }

  private hungUp(): boolean {
    return this.now >= this.hangUpAtMs;
  }

  private async *run(): AsyncGenerator<number, void> {
    const ringEnd = this.options.startMs + RING_TIMEOUT_MS;
    // Ringing: a rejection, the ring timeout and the answer, whichever comes first (ties in that order).
    for (let first = true; ; first = false) {
      yield* this.wait(Math.min(this.rejection?.atMs ?? Number.POSITIVE_INFINITY, ringEnd, this.answerAtMs), first);
      if (this.isOver()) return;
      if (this.rejection && this.now >= this.rejection.atMs) return this.end(this.rejection.reason);
      if (this.now >= ringEnd) return this.end('TELECOM_UNANSWERED');
      if (this.now >= this.answerAtMs) break;
    }
    this.result.state = 'connected';
    this.result.connectedAtMs = this.now;

    let current: string | undefined = this.flow.StartAction;
    for (let steps = 0; current !== undefined; steps++) {
      if (steps > MAX_STEPS) throw new Error(`contact flow ran ${MAX_STEPS} actions without ending: a loop with no exit?`);
      const action = this.actions.get(current);
      if (!action) throw new Error(`contact flow has no action "${current}"`);
      this.result.log.push({ atMs: this.now, kind: 'action', actionId: action.Identifier, type: action.Type });
      const next = yield* this.execute(action);
      if (this.isOver()) return;
      if (this.hungUp()) {
        this.interruptSpeech(this.hangUpAtMs);
        return this.end('CUSTOMER_DISCONNECT');
      }
      current = next;
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

  /** Runs one action (waiting as long as it takes); returns the next action, if any. */
  private async *execute(action: RawAction): AsyncGenerator<number, string | undefined> {
    const p = action.Parameters;
    const t = action.Transitions;
    switch (action.Type) {
      case 'Compare': {
        const value = this.resolve(String(p.ComparisonValue ?? ''));
        const hit = (t.Conditions ?? []).find((c) => conditionHolds(c, value));
        return hit?.NextAction ?? this.error(action, 'NoMatchingCondition') ?? t.NextAction;
      }
      case 'Loop': {
        const count = (this.loops.get(action.Identifier) ?? 0) + 1;
        const limit = Number(p.LoopCount ?? 0);
        const looping = count <= limit;
        this.loops.set(action.Identifier, looping ? count : 0);
        const operand = looping ? 'ContinueLooping' : 'DoneLooping';
        return (t.Conditions ?? []).find((c) => c.Condition.Operands[0] === operand)?.NextAction ?? t.NextAction;
      }
      case 'UpdateContactTextToSpeechVoice':
        this.voice = { name: this.resolve(String(p.TextToSpeechVoice)), engine: String(p.TextToSpeechEngine ?? 'Standard') };
        return t.NextAction;
      case 'UpdateContactData':
        if (typeof p.LanguageCode === 'string') this.language = this.resolve(p.LanguageCode);
        return t.NextAction;
      case 'TagContact': {
        const tags = this.resolveMap(p.Tags);
        Object.assign(this.result.tags, tags);
        this.result.log.push({ atMs: this.now, kind: 'tags', tags });
        return t.NextAction;
      }
      case 'UpdateContactAttributes': {
        const attributes = this.resolveMap(p.Attributes);
        Object.assign(this.result.attributes, attributes);
        this.result.log.push({ atMs: this.now, kind: 'attributes', attributes });
        return t.NextAction;
      }
      case 'MessageParticipant': {
        const speech = this.speak(action);
        yield* this.sleep(speech.endMs);
        return t.NextAction;
      }
      case 'GetParticipantInput':
        return p.StoreInput === 'True' ? yield* this.storeInput(action) : yield* this.menuInput(action);
      case 'InvokeLambdaFunction':
        return await this.invoke(action);
      case 'DisconnectParticipant':
        this.end('CONTACT_FLOW_DISCONNECT');
        return undefined;
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

  /**
   * The first key not yet taken, keyed in [fromMs, beforeMs) and before a hang-up, as far as the
   * callee's keys are known now. Keys pressed before this prompt started are gone, as on a real call.
   */
  private nextKey(fromMs: number, beforeMs: number): KeyEvent | undefined {
    for (const k of this.keys) if (k.atMs < fromMs) k.used = true;
    return this.keys.find((k) => !k.used && k.atMs >= fromMs && k.atMs < beforeMs && k.atMs < this.hangUpAtMs);
  }

  /**
   * Waits for the next key in [fromMs, deadline): the key once its moment has come, undefined at
   * the deadline, 'hung-up' if the callee hangs up first. Keys that arrive while it waits count.
   */
  private async *awaitKey(fromMs: number, deadline: number): AsyncGenerator<number, KeyEvent | undefined | 'hung-up'> {
    for (;;) {
      const key = this.nextKey(fromMs, deadline);
      const target = key ? key.atMs : deadline;
      if (this.now < target) yield* this.wait(Math.min(target, this.hangUpAtMs));
      if (this.hungUp()) return 'hung-up';
      if (this.now < target) continue; // the callee did something: look again
      if (!key) return undefined;
      key.used = true;
      return key;
    }
  }

  /** A DTMF menu: the first key, even while the prompt is still playing, picks the branch. */
  private async *menuInput(action: RawAction): AsyncGenerator<number, string | undefined> {
    const speech = this.speak(action);
    const timeout = Number(action.Parameters.InputTimeLimitSeconds ?? 5) * 1000;
    const key = yield* this.awaitKey(speech.atMs, speech.endMs + timeout);
    if (key === 'hung-up') return undefined;
    if (!key) {
      this.result.log.push({ atMs: speech.endMs + timeout, kind: 'input', actionId: action.Identifier, keys: '', result: 'InputTimeLimitExceeded' });
      return this.error(action, 'InputTimeLimitExceeded');
    }
    if (key.atMs < speech.endMs) {
      speech.endMs = key.atMs;
      speech.interrupted = true;
    }
    const hit = (action.Transitions.Conditions ?? []).find((c) => conditionHolds(c, key.key));
    this.result.log.push({ atMs: key.atMs, kind: 'input', actionId: action.Identifier, keys: key.key, result: hit ? 'condition' : 'NoMatchingCondition' });
    return hit?.NextAction ?? this.error(action, 'NoMatchingCondition');
  }

  /** Stored input: digits until the terminator, the maximum length, or a pause as long as the time limit. */
  private async *storeInput(action: RawAction): AsyncGenerator<number, string | undefined> {
    const p = action.Parameters as { InputTimeLimitSeconds?: string; DTMFConfiguration?: { InputTerminationSequence?: string }; InputValidation?: { CustomValidation?: { MaximumLength?: string } } };
    const speech = this.speak(action);
    const timeout = Number(p.InputTimeLimitSeconds ?? 5) * 1000;
    const terminator = p.DTMFConfiguration?.InputTerminationSequence ?? '#';
    const maxLength = Number(p.InputValidation?.CustomValidation?.MaximumLength ?? 20);
    let digits = '';
    let terminated = false;
    let deadline = speech.endMs + timeout;
    let at = speech.atMs;
    let doneAt: number;
    for (;;) {
      const key = yield* this.awaitKey(at, deadline);
      if (key === 'hung-up') return undefined;
      if (!key) {
        doneAt = deadline;
        break;
      }
      if (key.atMs < speech.endMs) {
        speech.endMs = key.atMs;
        speech.interrupted = true;
      }
      doneAt = at = key.atMs;
      if (key.key === terminator) {
        terminated = true;
        break;
      }
      digits += key.key;
      if (digits.length >= maxLength) {
        // A terminator keyed straight after the last allowed digit still belongs to this entry, if it
        // was sent by then (the same burst, "168#"): the run cannot wait to see whether one follows.
        const after = this.keys.find((k) => !k.used && k.atMs >= at && k.atMs < at + timeout && k.sentAtMs <= at);
        if (after?.key === terminator) {
          after.used = true;
          doneAt = after.atMs;
          terminated = true;
        }
        break;
      }
      deadline = at + timeout;
    }
    yield* this.sleep(doneAt);
    if (this.hungUp()) return undefined;
    const nothing = digits === '' && !terminated;
    this.stored = nothing ? 'Timeout' : digits;
    this.result.log.push({ atMs: doneAt, kind: 'input', actionId: action.Identifier, keys: digits + (terminated ? terminator : ''), result: `stored "${this.stored}"` });
    return action.Transitions.NextAction;
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
