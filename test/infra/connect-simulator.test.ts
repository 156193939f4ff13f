import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConnectError, ConnectService } from '../../infra/local/aws/connect/connect-service.ts';
import { CLIENT_TOKEN_TTL_MS, ConnectSimulator, CUT_CALL_REASON } from '../../infra/local/aws/connect/connect-simulator.ts';
import { readJournal } from '../../infra/local/persistence/data-files.ts';
import { VirtualTime } from '../harness/virtual-time.ts';

/**
 * The simulated Connect's journal: phone scripts, calls and ClientTokens survive a restart; a call
 * up when the process died reads as Connect reports a dropped contact; nothing a caller sends can
 * forge a record.
 */
const T0 = Date.parse('2026-11-24T01:00:00Z');
const A = '+819011110001';
const B = '+819011110002';
const flowResult = async () => ({ choice: 'acknowledge' });

function world(dir: string, time = new VirtualTime(T0)) {
  const simulator = new ConnectSimulator(time, { publish: async () => undefined }, undefined, undefined, { file: join(dir, 'connect.jsonl'), legacyTokenFile: join(dir, 'connect-tokens.tsv') });
  simulator.invokeLambda = flowResult;
  const connect = new ConnectService(simulator, time);
  return { time, simulator, connect };
}

const start = (connect: ConnectService, destination: string, ClientToken: string, Attributes: Record<string, string> = { incidentId: 'inc-1', attempt: '1' }) =>
  connect.startOutboundVoiceContact({ InstanceId: 'local', ContactFlowId: 'yobidashi-call', DestinationPhoneNumber: destination, ClientToken, Attributes });

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    return error instanceof ConnectError ? `${error.status} ${error.code}: ${error.message}` : String(error);
  }
}

describe('the Connect simulator across a restart', () => {
  it('keeps phone scripts, ended calls (times, reason, transcript) and ClientTokens', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'yobidashi-connect-'));
    const first = world(dir);
    first.simulator.setPhone(A, { answer: true, afterSeconds: 5, digits: '1' });
    first.simulator.setPhone(B, { busy: true });
    const { ContactId } = await start(first.connect, A, 'line-1');
    await first.time.advance(120_000);
    const before = first.simulator.status(first.simulator.calls[0]!);
    expect(before.reason).toBe('CONTACT_FLOW_DISCONNECT');
    expect(before.transcript.length).toBeGreaterThan(0);

    const second = world(dir, new VirtualTime(T0 + 600_000));
    expect(second.simulator.phoneList()).toEqual({ [A]: { answer: true, afterSeconds: 5, digits: '1' }, [B]: { busy: true } });
    const [call] = second.simulator.calls;
    expect(call).toMatchObject({ contactId: ContactId, destination: A, attributes: { incidentId: 'inc-1', attempt: '1' }, placedAt: T0 });
    const after = second.simulator.status(call!);
    expect({ ...after, result: undefined }).toEqual({ ...before, result: undefined });
    expect(await second.simulator.describeCall(ContactId)).toEqual({ state: 'ended', connected: true, endedAt: before.endedAt, disconnectReason: 'CONTACT_FLOW_DISCONNECT' });
    // The retried start gets its contact back: the phone does not ring again.
    expect(await start(second.connect, A, 'line-1')).toEqual({ ContactId });
    expect(second.simulator.calls).toHaveLength(1);
  });

  it('a call up when the process died is ended at the restart with DisconnectReason OTHER, what was said kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'yobidashi-connect-'));
    const first = world(dir);
    first.simulator.setPhone(A, { answer: true, afterSeconds: 5 }); // answers, presses nothing: the prompt repeats
    const ringing = await start(first.connect, B, 'line-2'); // rings out after 60 s
    const talking = await start(first.connect, A, 'line-1');
    await first.time.advance(12_000);
    const said = first.simulator.status(first.simulator.calls[1]!).transcript.map((s) => s.text);
    expect(said.length).toBeGreaterThan(0);
    // killed here: no stop(), nothing flushed; the next process starts a minute later
    const restartAt = T0 + 72_000;
    const second = world(dir, new VirtualTime(restartAt));
    expect(await second.simulator.describeCall(ringing.ContactId)).toEqual({ state: 'ended', connected: false, endedAt: restartAt, disconnectReason: CUT_CALL_REASON });
    expect(await second.simulator.describeCall(talking.ContactId)).toEqual({ state: 'ended', connected: true, endedAt: restartAt, disconnectReason: CUT_CALL_REASON });
    expect(second.simulator.status(second.simulator.calls[1]!).transcript.map((s) => s.text)).toEqual(said);
    const described = await second.connect.describeContact(talking.ContactId);
    expect(described.Contact).toMatchObject({ Id: talking.ContactId, ConnectedToSystemTimestamp: (T0 + 5_000) / 1000, DisconnectTimestamp: restartAt / 1000, DisconnectReason: 'OTHER' });
    expect(second.connect.activeCalls()).toBe(0);

    // The cut is final: a later restart reads the same end, not a later one.
    const third = world(dir, new VirtualTime(restartAt + 3_600_000));
    expect(await third.simulator.describeCall(talking.ContactId)).toMatchObject({ endedAt: restartAt, disconnectReason: 'OTHER' });
  });

  it('a stuck call (only StopContact ends it) that was up is cut too; one stopped before the restart keeps API', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'yobidashi-connect-'));
    const first = world(dir);
    first.simulator.setPhone(A, { answer: true, stuck: true });
    first.simulator.setPhone(B, { answer: true, stuck: true });
    const stopped = await start(first.connect, A, 'line-1');
    const up = await start(first.connect, B, 'line-2');
    await first.time.advance(10_000);
    await first.connect.stopContact({ InstanceId: 'local', ContactId: stopped.ContactId });
    const second = world(dir, new VirtualTime(T0 + 20_000));
    expect(await second.simulator.describeCall(stopped.ContactId)).toEqual({ state: 'ended', connected: true, endedAt: T0 + 10_000, disconnectReason: 'API' });
    expect(await second.simulator.describeCall(up.ContactId)).toEqual({ state: 'ended', connected: true, endedAt: T0 + 20_000, disconnectReason: 'OTHER' });
  });

  it('ClientTokens expire after 7 days, as Connect keeps them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'yobidashi-connect-'));
    const first = world(dir);
    const { ContactId } = await start(first.connect, A, 'line-1');
    await first.time.advance(CLIENT_TOKEN_TTL_MS - 1);
    expect(first.simulator.contactFor('line-1')).toBe(ContactId);
    await first.time.advance(1);
    expect(first.simulator.contactFor('line-1')).toBeUndefined();
  });

  it('moves ClientTokens from connect-tokens.tsv into the journal once, taking only well-formed lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'yobidashi-connect-'));
    const id = '0b7f4a2e-9c1d-4e8f-a3b5-6d7e8f9a0b1c';
    writeFileSync(join(dir, 'connect-tokens.tsv'), `line-1\t${id}\nforged\tnot-a-contact\nthree\t${id}\textra\n`);
    const first = world(dir);
    expect(first.simulator.contactFor('line-1')).toBe(id);
    expect(first.simulator.contactFor('forged')).toBeUndefined();
    expect(first.simulator.contactFor('three')).toBeUndefined();
    expect(existsSync(join(dir, 'connect-tokens.tsv'))).toBe(false);
    expect(existsSync(join(dir, 'connect-tokens.tsv.migrated'))).toBe(true);
    expect(world(dir).simulator.contactFor('line-1')).toBe(id);
  });

  it('a ClientToken with newlines and tabs is one JSON record: it forges nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'yobidashi-connect-'));
    const first = world(dir);
    const victimId = '0b7f4a2e-9c1d-4e8f-a3b5-6d7e8f9a0b1c';
    const hostile = `x\nline-9\t${victimId}\n{"kind":"token","clientToken":"line-8","contactId":"${victimId}","at":${T0}}\n\t`;
    const placed = await start(first.connect, A, hostile);
    const second = world(dir);
    expect(second.simulator.contactFor('line-9')).toBeUndefined();
    expect(second.simulator.contactFor('line-8')).toBeUndefined();
    expect(second.simulator.contactFor(hostile)).toBe(placed.ContactId);
    const { records, skipped } = readJournal(join(dir, 'connect.jsonl'));
    expect(skipped).toEqual([]);
    expect(records.filter((r) => (r as { kind: string }).kind === 'call')).toHaveLength(1);
    expect(readFileSync(join(dir, 'connect.jsonl'), 'utf8')).not.toContain(`\nline-9\t`);
  });

  it('damaged journal lines are skipped, the rest recovered', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'yobidashi-connect-'));
    const first = world(dir);
    first.simulator.setPhone(A, { busy: true });
    first.simulator.setPhone(B, { invalid: true });
    const file = join(dir, 'connect.jsonl');
    const lines = readFileSync(file, 'utf8').split('\n');
    writeFileSync(file, [lines[0]!.replace('busy', 'bust'), lines[1], '{"kind":"phone","phone":"+1","behaviour":{"answer":"yes"}}', '{"torn'].join('\n'));
    expect(world(dir).simulator.phoneList()).toEqual({ [B]: { invalid: true } });
  });
});

describe('StartOutboundVoiceContact refuses what Connect refuses, before anything is stored or dialled', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['ClientToken over 500', { ClientToken: 'x'.repeat(501) }, "400 InvalidParameterException: 1 validation error detected: Value at 'clientToken' failed to satisfy constraint: Member must have length less than or equal to 500"],
    ['ClientToken not a string', { ClientToken: 5 }, '400 SerializationException: ClientToken: expected a string'],
    ['InstanceId missing', { InstanceId: undefined }, "400 InvalidParameterException: 1 validation error detected: Value at 'instanceId' failed to satisfy constraint: Member must not be null"],
    ['InstanceId over 100', { InstanceId: 'i'.repeat(101) }, "400 InvalidParameterException: 1 validation error detected: Value at 'instanceId' failed to satisfy constraint: Member must have length less than or equal to 100"],
    ['InstanceId empty', { InstanceId: '' }, "400 InvalidParameterException: 1 validation error detected: Value at 'instanceId' failed to satisfy constraint: Member must have length greater than or equal to 1"],
    ['ContactFlowId over 500', { ContactFlowId: 'f'.repeat(501) }, "400 InvalidParameterException: 1 validation error detected: Value at 'contactFlowId' failed to satisfy constraint: Member must have length less than or equal to 500"],
    ['Attributes a list', { Attributes: ['a'] }, '400 SerializationException: Attributes: expected a map of strings'],
    ['an attribute not a string', { Attributes: { attempt: 1 } }, '400 SerializationException: Attributes.attempt: expected a string'],
    ['an attribute key with a space', { Attributes: { 'bad key': 'v' } }, "400 InvalidParameterException: 1 validation error detected: Value at 'attributes' failed to satisfy constraint: Attribute keys can include only alphanumeric, dash, and underscore characters"],
    ['an attribute key with a newline', { Attributes: { 'a\nb': 'v' } }, "400 InvalidParameterException: 1 validation error detected: Value at 'attributes' failed to satisfy constraint: Attribute keys can include only alphanumeric, dash, and underscore characters"],
    ['attributes over 32,768 bytes', { Attributes: { message: 'あ'.repeat(11_000) } }, "400 InvalidParameterException: 1 validation error detected: Value at 'attributes' failed to satisfy constraint: There can be up to 32768 UTF-8 bytes across all key-value pairs per contact"],
    ['an attribute value over 32,767 characters', { Attributes: { message: 'x'.repeat(32_768) } }, '400 InvalidParameterException'],
    ['two problems at once', { ClientToken: 'x'.repeat(501), SourcePhoneNumber: '0312345678' }, "400 InvalidParameterException: 2 validation errors detected: Value at 'clientToken' failed to satisfy constraint: Member must have length less than or equal to 500; Value at 'sourcePhoneNumber' failed to satisfy constraint: Member must satisfy regular expression pattern: \\\\+[1-9]\\\\d{1,14}$"],
    ['RingTimeoutInSeconds 5', { RingTimeoutInSeconds: 5 }, "400 InvalidParameterException: 1 validation error detected: Value at 'ringTimeoutInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 15"],
    ['TrafficType other', { TrafficType: 'SPAM' }, "400 InvalidParameterException: 1 validation error detected: Value at 'trafficType' failed to satisfy constraint: Member must satisfy enum value set: [GENERAL, CAMPAIGN]"],
    ['another instance', { InstanceId: 'someone-else' }, '404 ResourceNotFoundException: Instance someone-else not found.'],
    ['another flow', { ContactFlowId: 'other-flow' }, '404 ResourceNotFoundException: Contact flow other-flow not found.'],
  ];
  it.each(cases)('%s', async (_name, change, expected) => {
    const dir = mkdtempSync(join(tmpdir(), 'yobidashi-connect-'));
    const time = new VirtualTime(T0);
    const simulator = new ConnectSimulator(time, { publish: async () => undefined }, undefined, undefined, { file: join(dir, 'connect.jsonl') });
    const identity = { instanceId: 'local', instanceArn: 'arn:aws:connect:us-east-1:000000000000:instance/local', contactFlowId: 'yobidashi-call', contactFlowArn: 'arn:aws:connect:us-east-1:000000000000:instance/local/contact-flow/yobidashi-call', phoneNumber: '+815000000000', createdAt: T0 };
    const connect = new ConnectService(simulator, time, undefined, () => identity);
    const body = { InstanceId: 'local', ContactFlowId: 'yobidashi-call', DestinationPhoneNumber: A, ClientToken: 'line-1', Attributes: { incidentId: 'i' }, ...change };
    expect(await code(connect.startOutboundVoiceContact(body))).toMatch(new RegExp(`^${expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    expect(simulator.calls).toHaveLength(0);
    expect(readFileSync(join(dir, 'connect.jsonl'), 'utf8')).toBe('');
    // The ARN forms name the local instance and flow too.
    expect(await code(connect.startOutboundVoiceContact({ ...body, ...change, InstanceId: identity.instanceArn, ContactFlowId: identity.contactFlowArn, ClientToken: 'ok', Attributes: {}, SourcePhoneNumber: undefined, RingTimeoutInSeconds: undefined, TrafficType: undefined }))).toBe('ok');
  });

  it('an empty ClientToken is no token: two such starts are two calls', async () => {
    const { connect, simulator } = world(mkdtempSync(join(tmpdir(), 'yobidashi-connect-')));
    const one = await start(connect, A, '');
    const two = await start(connect, B, '');
    expect(one.ContactId).not.toBe(two.ContactId);
    expect(simulator.calls).toHaveLength(2);
  });
});
