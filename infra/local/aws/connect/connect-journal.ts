import { existsSync, readFileSync, renameSync } from 'node:fs';
import type { Speech } from '../../../../contact-flow/index.ts';
import type { Logger } from '../../../../handlers/ports.ts';
import { appendJournal, readJournal, reportSkipped, rewriteJournal } from '../../persistence/data-files.ts';

/**
 * What the simulated Connect world knows, journalled in the data dir (`connect.jsonl`, checksummed
 * JSON lines through persistence/data-files.ts) so that a restart loses none of it: how each phone
 * is scripted, the console's "answer in browser" switch, every call placed (its ClientToken,
 * destination, attributes, time, whether it rang in the browser) and how it went (connected, what
 * was said, keys pressed in the browser, how and when it ended). Records are JSON, so no value — a ClientToken
 * with a newline or a tab in it, say — can forge a line.
 *
 * On start the journal is read (damaged lines skipped and reported), calls that were up when the
 * process died are ended there (connect-simulator.ts decides how), and the journal is rewritten
 * compacted: the last script of each phone, one record per call (two if it ended).
 */

/** How a phone behaves when called (the local API's `PUT /api/phones/{e164}` body). */
export type PhoneBehaviour =
  | { answer: true; afterSeconds?: number; digits?: string; pressAfterSeconds?: number; hangUpAfterSeconds?: number; stuck?: boolean }
  | { answer: false }
  | { busy: true }
  | { invalid: true }
  /** Connect refuses to dial at all (DestinationNotAllowedException). */
  | { refused: true };

/** How a call ended, as DescribeContact and `GET /api/calls` report it. */
export interface CallEnd {
  connectedAt?: number;
  endedAt: number;
  reason: string;
  transcript: Speech[];
  /** The keys the callee pressed, in order (absent: none, or a journal from before keys were kept). */
  keys?: string;
}

export type ConnectRecord =
  | { kind: 'phone'; phone: string; behaviour: PhoneBehaviour }
  /** The console's switch: every call rings in the browser (scripts but `refused` are ignored). */
  | { kind: 'softphone'; answerInBrowser: boolean }
  | {
      kind: 'call';
      contactId: string;
      clientToken: string;
      destination: string;
      attributes: Record<string, string>;
      placedAt: number;
      /** The phone's script when the call was placed (`{answer: false}` for a phone with none). */
      behaviour: PhoneBehaviour;
      /** The call rang in the browser (the console's softphone) instead of following the script. */
      inBrowser?: boolean;
    }
  | { kind: 'connected'; contactId: string; at: number }
  | { kind: 'said'; contactId: string; speech: Speech }
  /** Keys pressed in the browser on a live call (a call cut by a restart keeps them). */
  | { kind: 'pressed'; contactId: string; keys: string; at: number }
  | ({ kind: 'ended'; contactId: string } & CallEnd)
  /** A ClientToken from before calls were journalled (connect-tokens.tsv), with no call to go with it. */
  | { kind: 'token'; clientToken: string; contactId: string; at: number };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const optional = (v: unknown, is: (v: unknown) => boolean) => v === undefined || is(v);
const isStringMap = (v: unknown): v is Record<string, string> => isObject(v) && Object.values(v).every(isString);

export function isPhoneBehaviour(v: unknown): v is PhoneBehaviour {
  if (!isObject(v)) return false;
  if (v.busy === true || v.invalid === true || v.refused === true) return true;
  if (v.answer === false) return true;
  if (v.answer !== true) return false;
  const seconds = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && x >= 0;
  return (
    optional(v.afterSeconds, seconds) &&
    optional(v.digits, (d) => isString(d) && /^[0-9*#]*$/.test(d)) &&
    optional(v.pressAfterSeconds, seconds) &&
    optional(v.hangUpAfterSeconds, seconds) &&
    optional(v.stuck, (s) => typeof s === 'boolean')
  );
}

function isSpeech(v: unknown): v is Speech {
  return (
    isObject(v) &&
    isTime(v.atMs) &&
    isTime(v.endMs) &&
    isString(v.text) &&
    isString(v.language) &&
    isString(v.voice) &&
    isString(v.engine) &&
    isString(v.actionId) &&
    typeof v.interrupted === 'boolean'
  );
}

export function isConnectRecord(v: unknown): v is ConnectRecord {
  if (!isObject(v)) return false;
  switch (v.kind) {
    case 'phone':
      return isString(v.phone) && isPhoneBehaviour(v.behaviour);
    case 'softphone':
      return typeof v.answerInBrowser === 'boolean';
    case 'call':
      return (
        isString(v.contactId) &&
        isString(v.clientToken) &&
        isString(v.destination) &&
        isStringMap(v.attributes) &&
        isTime(v.placedAt) &&
        isPhoneBehaviour(v.behaviour) &&
        optional(v.inBrowser, (b) => typeof b === 'boolean')
      );
    case 'connected':
      return isString(v.contactId) && isTime(v.at);
    case 'said':
      return isString(v.contactId) && isSpeech(v.speech);
    case 'pressed':
      return isString(v.contactId) && isString(v.keys) && /^[0-9*#]+$/.test(v.keys) && isTime(v.at);
    case 'ended':
      return (
        isString(v.contactId) &&
        optional(v.connectedAt, isTime) &&
        isTime(v.endedAt) &&
        isString(v.reason) &&
        Array.isArray(v.transcript) &&
        v.transcript.every(isSpeech) &&
        optional(v.keys, (k) => isString(k) && /^[0-9*#]*$/.test(k))
      );
    case 'token':
      return isString(v.clientToken) && isString(v.contactId) && isTime(v.at);
    default:
      return false;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * ClientTokens kept by earlier versions in `connect-tokens.tsv` (token TAB contact id a line),
 * moved into the journal once: only lines of exactly two fields whose contact id is a contact id
 * the simulator could have made (a UUID). The file is then renamed `*.migrated`, so this runs once.
 */
export function legacyTokens(file: string, now: number, log?: Logger): ConnectRecord[] {
  if (!existsSync(file)) return [];
  const records: ConnectRecord[] = [];
  let skipped = 0;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    const fields = line.split('\t');
    const [clientToken, contactId] = fields;
    if (fields.length === 2 && clientToken && contactId && clientToken.length <= 500 && UUID.test(contactId)) records.push({ kind: 'token', clientToken, contactId, at: now });
    else skipped++;
  }
  renameSync(file, `${file}.migrated`);
  log?.warn('Connect ClientTokens moved from connect-tokens.tsv into connect.jsonl', { tokens: records.length, skipped });
  return records;
}

export class ConnectJournal {
  constructor(
    readonly file: string | undefined,
    private readonly log?: Logger,
  ) {}

  read(): ConnectRecord[] {
    if (!this.file) return [];
    const { records, skipped } = readJournal(this.file, isConnectRecord);
    reportSkipped(this.log, this.file, skipped);
    return records;
  }

  /** Appends a record; a failed write (full disk) is reported, and the world goes on in memory. */
  append(record: ConnectRecord): void {
    try {
      appendJournal(this.file, record);
    } catch (error) {
      this.log?.error('could not journal a Connect record; after a restart it will be missing', { kind: record.kind, error: (error as Error).message });
    }
  }

  /** Appends a record that must be on disk before anything else happens (a call about to ring). */
  appendOrThrow(record: ConnectRecord): void {
    appendJournal(this.file, record);
  }

  rewrite(records: readonly ConnectRecord[]): void {
    rewriteJournal(this.file, records);
  }
}
