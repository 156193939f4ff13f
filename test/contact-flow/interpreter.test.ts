import { afterAll, describe, expect, it } from 'vitest';
import { CALL_FLOW, runContact, UnsupportedActionError, type Callee, type ContactResult, type LambdaInvoker } from '../../contact-flow/index.ts';
import type { RawFlow } from '../../contact-flow/flow-language.ts';
import { xmlEscape } from '../../contact-flow/ssml.ts';
import { openIncident } from '../../domain/incident.ts';
import { digitsFromFlow } from '../../domain/keypad.ts';
import { mergedAlertSpeech } from '../../domain/message.ts';
import { outcomeFromDigits } from '../../domain/outcome.ts';
import { rosterSchema } from '../../domain/roster.ts';
import { parseAlertReceived } from '../../events/alerts.ts';
import { flowResultHandler } from '../../handlers/index.ts';
import { callAttributes } from '../../handlers/lib/call-attributes.ts';
import type { ContactRecord } from '../../handlers/ports.ts';
import { closeDynalite, Harness, T0 } from '../harness/harness.ts';

/**
 * The generated flow JSON, run by the interpreter for every path a responder can take, with the
 * real flow-result handler (and its store on dynalite) answering the flow's Lambda call.
 */

type Language = 'ja-JP' | 'en-US';

interface Call {
  result: ContactResult;
  contact: ContactRecord | undefined;
  spoken: string[];
  lambdaChoices: string[];
  published: string[];
}

async function call(
  language: Language,
  callee: Callee,
  lambda?: LambdaInvoker,
  edit: (attributes: Record<string, string>) => Record<string, string> = (a) => a,
): Promise<Call> {
  const h = await Harness.start();
  const roster = rosterSchema.parse({
    system: 'XYZ',
    alertTimezone: 'Asia/Tokyo',
    responders: [{ name: 'R', phone: '+819011110001', language, timezone: language === 'ja-JP' ? 'Asia/Tokyo' : 'America/New_York' }],
  });
  const [alert] = parseAlertReceived({ alertinfo: [{ host: 'db<1>', service: 'CPU & Load', lastcheck: '2026-11-24 10:00:00', systemname: 'XYZ' }] }).alerts;
  const { incident } = openIncident({ incidentId: 'inc-1', alert: alert!, alertId: 'a:0', now: T0 }, roster);
  await h.store.createIncident(incident);
  await h.store.createContact({ incidentId: 'inc-1', attempt: 1, contactId: 'c-1', responderIndex: 0, responderName: 'R', destination: '+81*****0001', placedAt: T0, check_flag: false });
  const handler = flowResultHandler(h.deps);
  const result = await runContact(CALL_FLOW, {
    contactId: 'c-1',
    attributes: edit(callAttributes(incident, incident.call!, roster.responders[0]!)),
    callee,
    invokeLambda: lambda ?? ((_arn, event) => handler(event)),
    startMs: T0,
    // The real handler on dynalite gets 2 s of real time (a loaded machine can take more than the
    // 160 ms a stand-in gets); a stand-in answers at once or never, so it keeps the short limit.
    lambdaTimeoutScale: lambda ? 0.02 : 0.25,
  });
  return {
    result,
    contact: await h.store.getContact('inc-1', 1),
    spoken: result.transcript.map((s) => `${s.interrupted ? '(cut) ' : ''}${s.text}`),
    lambdaChoices: result.log.flatMap((e) => (e.kind === 'lambda' ? [`${e.parameters.choice}/${e.parameters.hours}`] : [])),
    published: h.cloud.archive.map((e) => `${e['detail-type']}:${(e.detail as { outcome?: string }).outcome ?? ''}`),
  };
}

afterAll(closeDynalite);

const MENU = {
  'en-US':
    'This is yobidashi, an automated alert call. On November 23, 2026 at 8:00 PM, an alert for CPU & Load occurred on db<1> of system XYZ. Press 1 to acknowledge, 3 to pass it to the next person, or 9 to silence it.',
  'ja-JP':
    'こちらは呼び出し、自動障害通知です。 2026年11月24日 10時0分、システムXYZのdb<1>で、CPU & Loadのアラートが発生しました。 確認した場合は1を、次の担当者に回す場合は3を、静観する場合は9を押してください。',
};
const SAY = {
  'en-US': {
    ack: 'Acknowledged. It is yours. Thank you.',
    skip: 'Calling the next person.',
    silenced: (h: number) => `Silenced for ${h} hours.`,
    hours: 'Enter the number of hours to silence, from 1 to 168, then press pound. For 12 hours, just press pound.',
    none: 'No key was pressed. Calling the next person.',
    failed: 'Your answer could not be recorded. The next person will be called.',
  },
  'ja-JP': {
    ack: '確認を受け付けました。対応をお願いします。',
    skip: '次の担当者に連絡します。',
    silenced: (h: number) => `${h}時間、静観します。`,
    hours: '静観する時間を1から168の数字で入力し、最後にシャープを押してください。12時間の場合は、そのままシャープを押してください。',
    none: '入力が確認できなかったため、次の担当者に連絡します。',
    failed: '応答を記録できませんでした。次の担当者に連絡します。',
  },
};

describe.each(['en-US', 'ja-JP'] as const)('a call in %s', (language) => {
  const say = SAY[language];
  const menu = MENU[language];
  const voice = language === 'ja-JP' ? 'Kazuha' : 'Joanna';

  it('press 1 while the alert is read: acknowledged', async () => {
    const c = await call(language, { kind: 'answer', afterSeconds: 4, presses: [{ keys: '1', atSeconds: 6 }] });
    expect(c.spoken).toEqual([`(cut) ${menu}`, say.ack]);
    expect(c.result.transcript.every((s) => s.language === language && s.voice === voice && s.engine === 'Neural')).toBe(true);
    expect(c.lambdaChoices).toEqual(['1/0']);
    expect(c.contact).toMatchObject({ outcome: 'acknowledged', check_flag: true, digits: '1', via: 'contact-flow' });
    expect(c.published).toEqual(['CallEnded:acknowledged']);
    expect(c.result).toMatchObject({ disconnectReason: 'CONTACT_FLOW_DISCONNECT', connectedAtMs: T0 + 4000, tags: { yobidashiIncident: 'inc-1', yobidashiAttempt: '1' } });
    expect(c.result.transcript[0]!.endMs).toBe(T0 + 10_000); // the key cut the prompt
  });

  it('press 3: skipped to the next person', async () => {
    const c = await call(language, { kind: 'answer', presses: [{ keys: '3', atSeconds: 2 }] });
    expect(c.spoken).toEqual([`(cut) ${menu}`, say.skip]);
    expect(c.contact).toMatchObject({ outcome: 'skipped', check_flag: false });
  });

  it('9 then 12#: silenced for 12 hours', async () => {
    const c = await call(language, { kind: 'answer', presses: [{ keys: '9', atSeconds: 2 }, { keys: '12#', atSeconds: 5 }] });
    expect(c.spoken).toEqual([`(cut) ${menu}`, `(cut) ${say.hours}`, say.silenced(12)]);
    expect(c.lambdaChoices).toEqual(['9/12']);
    expect(c.contact).toMatchObject({ outcome: 'silenced', silenceHours: 12, digits: '912#' });
  });

  it('9 then #: an empty entry is 12 hours', async () => {
    const c = await call(language, { kind: 'answer', presses: [{ keys: '9', atSeconds: 2 }, { keys: '#', atSeconds: 5 }] });
    expect(c.lambdaChoices).toEqual(['9/']);
    expect(c.spoken.at(-1)).toBe(say.silenced(12));
    expect(c.contact).toMatchObject({ outcome: 'silenced', silenceHours: 12 });
  });

  it('9 then 999#: out of range, the question is asked again', async () => {
    const c = await call(language, { kind: 'answer', presses: [{ keys: '9', atSeconds: 2 }, { keys: '999#', atSeconds: 5 }, { keys: '24#', atSeconds: 9 }] });
    expect(c.spoken).toEqual([`(cut) ${menu}`, `(cut) ${say.hours}`, `(cut) ${say.hours}`, say.silenced(24)]);
    expect(c.contact).toMatchObject({ outcome: 'silenced', silenceHours: 24 });
  });

  it('a wrong digit, then 1: the menu repeats and the 1 counts', async () => {
    const c = await call(language, { kind: 'answer', presses: [{ keys: '7', atSeconds: 2 }, { keys: '1', atSeconds: 4 }] });
    expect(c.spoken).toEqual([`(cut) ${menu}`, `(cut) ${menu}`, say.ack]);
    expect(c.contact).toMatchObject({ outcome: 'acknowledged' });
  });

  it('no input three times: the call ends as answered, no input', async () => {
    const c = await call(language, { kind: 'answer' });
    expect(c.spoken).toEqual([menu, menu, menu, say.none]);
    expect(c.lambdaChoices).toEqual(['none/0']);
    expect(c.contact).toMatchObject({ outcome: 'answered-no-input', check_flag: false });
    expect(c.published).toEqual(['CallEnded:answered-no-input']);
  });

  it('hang up during the alert: no result reported, the contact ends as a customer disconnect', async () => {
    const c = await call(language, { kind: 'answer', hangUpAfterSeconds: 3 });
    expect(c.spoken).toEqual([`(cut) ${menu}`]);
    expect(c.lambdaChoices).toEqual([]);
    expect(c.result).toMatchObject({ disconnectReason: 'CUSTOMER_DISCONNECT', endedAtMs: T0 + 8_000 });
    expect(c.contact?.outcome).toBeUndefined(); // the DISCONNECTED contact event reports it
  });

  it('busy', async () => {
    const c = await call(language, { kind: 'busy' });
    expect(c.result).toMatchObject({ disconnectReason: 'TELECOM_BUSY', state: 'ended' });
    expect(c.result.connectedAtMs).toBeUndefined();
    expect(c.spoken).toEqual([]);
  });

  it('rings out after 60 seconds', async () => {
    const c = await call(language, { kind: 'ring-out' });
    expect(c.result).toMatchObject({ disconnectReason: 'TELECOM_UNANSWERED', endedAtMs: T0 + 60_000 });
    expect(c.spoken).toEqual([]);
  });

  it('the flow-result Lambda failing still ends the call politely', async () => {
    const c = await call(language, { kind: 'answer', presses: [{ keys: '1', atSeconds: 2 }] }, async () => {
      throw new Error('Lambda is down');
    });
    expect(c.spoken).toEqual([`(cut) ${menu}`, say.failed]);
    expect(c.result.disconnectReason).toBe('CONTACT_FLOW_DISCONNECT');
    expect(c.contact?.outcome).toBeUndefined();
  });

  it('the flow-result Lambda timing out counts as failing', async () => {
    const c = await call(language, { kind: 'answer', presses: [{ keys: '1', atSeconds: 2 }] }, () => new Promise(() => undefined));
    expect(c.spoken.at(-1)).toBe(say.failed);
    expect(c.result.log.find((e) => e.kind === 'lambda')).toMatchObject({ error: expect.stringMatching(/timed out/) });
  });
});

/**
 * A merged call: one call for three incidents waiting for the same responder. The flow's Lambda
 * call is answered as the flow-result handler answers it (the outcome of the keyed digits), and
 * what it was sent is kept, so the flow's side of the contract is checked on its own.
 */
const COVERS = ['inc-1:2', 'inc-2:1', 'inc-3:4'];
const MERGED_ALERTS = [
  { system: 'XYZ', host: 'db<1>', service: 'CPU & Load', occurredAtMs: T0 },
  { system: 'XYZ', host: 'server2', service: 'Disk', occurredAtMs: T0 + 60_000 },
  { system: 'XYZ', host: 'server3', service: 'Memory', occurredAtMs: T0 + 120_000 },
];

function mergedAttributes(language: Language, alerts = MERGED_ALERTS, covers = COVERS): Record<string, string> {
  const message = mergedAlertSpeech(language, alerts, language === 'ja-JP' ? 'Asia/Tokyo' : 'America/New_York');
  return {
    incidentId: 'inc-1',
    attempt: '2',
    systemname: 'XYZ',
    host: 'db<1>',
    service: 'CPU & Load',
    startdate: new Date(T0).toISOString(),
    language,
    message,
    messageSsml: xmlEscape(message),
    count: String(covers.length),
    covers: covers.join(','),
  };
}

interface MergedCall {
  result: ContactResult;
  spoken: string[];
  invocations: { parameters: Record<string, string>; attributes: Record<string, string> }[];
}

async function mergedCall(language: Language, callee: Callee, fail = false, attributes = mergedAttributes(language)): Promise<MergedCall> {
  const invocations: MergedCall['invocations'] = [];
  const result = await runContact(CALL_FLOW, {
    contactId: 'c-merged',
    attributes,
    callee,
    invokeLambda: async (_arn, event) => {
      invocations.push({ parameters: event.Details.Parameters, attributes: event.Details.ContactData.Attributes });
      if (fail) throw new Error('Lambda is down');
      const { choice = '', hours = '' } = event.Details.Parameters;
      const { outcome, silenceHours } = outcomeFromDigits(digitsFromFlow(choice, hours));
      return { status: 'recorded', outcome, ...(silenceHours ? { hours: String(silenceHours) } : {}) };
    },
    startMs: T0,
    lambdaTimeoutScale: 0.02,
  });
  return { result, spoken: result.transcript.map((s) => `${s.interrupted ? '(cut) ' : ''}${s.text}`), invocations };
}

describe.each(['en-US', 'ja-JP'] as const)('a single call in %s keeps its wording whatever `count` says short of a number above 1', (language) => {
  const single = mergedAttributes(language, MERGED_ALERTS.slice(0, 1), ['inc-1:2']);
  it.each<[string, Record<string, string>]>([
    ['count "1"', single],
    ['no count (a call placed before merged calls)', (({ count: _count, covers: _covers, ...rest }) => rest)(single)],
    ['an empty count', { ...single, count: '' }],
    ['a count that is not a number', { ...single, count: 'many' }],
    ['a count of 0', { ...single, count: '0' }],
  ])('%s', async (_, attributes) => {
    const ack = await mergedCall(language, { kind: 'answer', presses: [{ keys: '1', atSeconds: 2 }] }, false, attributes);
    expect(ack.spoken).toEqual([`(cut) ${MENU[language]}`, SAY[language].ack]);
    const silence = await mergedCall(language, { kind: 'answer', presses: [{ keys: '9', atSeconds: 2 }, { keys: '#', atSeconds: 5 }] }, false, attributes);
    expect(silence.spoken.at(-1)).toBe(SAY[language].silenced(12));
    const none = await mergedCall(language, { kind: 'answer' }, false, attributes);
    expect(none.spoken.at(-1)).toBe(SAY[language].none);
    const failed = await mergedCall(language, { kind: 'answer', presses: [{ keys: '3', atSeconds: 2 }] }, true, attributes);
    expect(failed.spoken.at(-1)).toBe(SAY[language].failed);
  });
});

const MERGED_MENU = {
  'en-US':
    'This is yobidashi, an automated alert call. 3 alerts for XYZ: db<1> CPU & Load, server2 Disk, and server3 Memory. The earliest occurred on November 23, 2026 at 8:00 PM. ' +
    'Press 1 to acknowledge all of them, 3 to pass them to the next person, or 9 to silence them all.',
  'ja-JP':
    'こちらは呼び出し、自動障害通知です。 システムXYZのアラートが3件あります。db<1>のCPU & Load、server2のDisk、server3のMemoryです。最初のアラートは2026年11月24日 10時0分に発生しました。 ' +
    'すべて確認した場合は1を、それぞれ次の担当者に回す場合は3を、すべて静観する場合は9を押してください。',
};
const SAY_ALL = {
  'en-US': {
    ack: 'Acknowledged, all 3. They are yours. Thank you.',
    skip: 'Calling the next person for each of them.',
    silenced: (h: number) => `Silenced, all of them, for ${h} hours.`,
    none: 'No key was pressed. Calling the next person for each of them.',
    failed: 'Your answer could not be recorded. The next person will be called for each of them.',
    notNeeded: 'These alerts no longer need you. Goodbye.',
  },
  'ja-JP': {
    ack: '3件すべての確認を受け付けました。対応をお願いします。',
    skip: 'それぞれ次の担当者に連絡します。',
    silenced: (h: number) => `${h}時間、すべて静観します。`,
    none: '入力が確認できなかったため、それぞれ次の担当者に連絡します。',
    failed: '応答を記録できませんでした。それぞれ次の担当者に連絡します。',
    notNeeded: 'これらのアラートへの対応は不要になりました。',
  },
};

describe.each(['en-US', 'ja-JP'] as const)('a merged call (3 incidents) in %s', (language) => {
  const say = SAY_ALL[language];
  const menu = MERGED_MENU[language];
  const hours = SAY[language].hours;
  const voice = language === 'ja-JP' ? 'Kazuha' : 'Joanna';
  const reported = (c: MergedCall) => c.invocations.map((i) => `${i.parameters.choice}/${i.parameters.hours}`);

  it('press 1 while the alerts are read: all acknowledged, the Lambda told once about the lead incident', async () => {
    const c = await mergedCall(language, { kind: 'answer', afterSeconds: 4, presses: [{ keys: '1', atSeconds: 6 }] });
    expect(c.spoken).toEqual([`(cut) ${menu}`, say.ack]);
    expect(c.result.transcript.every((s) => s.language === language && s.voice === voice && s.engine === 'Neural')).toBe(true);
    expect(c.invocations).toHaveLength(1);
    expect(c.invocations[0]!.parameters).toEqual({ choice: '1', hours: '0', incidentId: 'inc-1', attempt: '2' });
    expect(c.invocations[0]!.attributes).toMatchObject({ count: '3', covers: 'inc-1:2,inc-2:1,inc-3:4', choice: '1', hours: '0' });
    expect(c.result).toMatchObject({ disconnectReason: 'CONTACT_FLOW_DISCONNECT', tags: { yobidashiIncident: 'inc-1', yobidashiAttempt: '2' } });
  });

  it('press 3: each passed to its next person', async () => {
    const c = await mergedCall(language, { kind: 'answer', presses: [{ keys: '3', atSeconds: 2 }] });
    expect(c.spoken).toEqual([`(cut) ${menu}`, say.skip]);
    expect(reported(c)).toEqual(['3/0']);
  });

  it('9 then 24#: all silenced for 24 hours (the hours question is the single call\'s)', async () => {
    const c = await mergedCall(language, { kind: 'answer', presses: [{ keys: '9', atSeconds: 2 }, { keys: '24#', atSeconds: 5 }] });
    expect(c.spoken).toEqual([`(cut) ${menu}`, `(cut) ${hours}`, say.silenced(24)]);
    expect(reported(c)).toEqual(['9/24']);
  });

  it('9 then #: all silenced for 12 hours', async () => {
    const c = await mergedCall(language, { kind: 'answer', presses: [{ keys: '9', atSeconds: 2 }, { keys: '#', atSeconds: 5 }] });
    expect(c.spoken).toEqual([`(cut) ${menu}`, `(cut) ${hours}`, say.silenced(12)]);
    expect(reported(c)).toEqual(['9/']);
  });

  it('9 then 0#: out of range, asked again, then 168#', async () => {
    const c = await mergedCall(language, { kind: 'answer', presses: [{ keys: '9', atSeconds: 2 }, { keys: '0#', atSeconds: 5 }, { keys: '168#', atSeconds: 9 }] });
    expect(c.spoken).toEqual([`(cut) ${menu}`, `(cut) ${hours}`, `(cut) ${hours}`, say.silenced(168)]);
  });

  it('no input three times: each goes on as answered, no input', async () => {
    const c = await mergedCall(language, { kind: 'answer' });
    expect(c.spoken).toEqual([menu, menu, menu, say.none]);
    expect(reported(c)).toEqual(['none/0']);
  });

  it('a wrong key repeats the plural menu; then 1 counts', async () => {
    const c = await mergedCall(language, { kind: 'answer', presses: [{ keys: '5', atSeconds: 2 }, { keys: '1', atSeconds: 4 }] });
    expect(c.spoken).toEqual([`(cut) ${menu}`, `(cut) ${menu}`, say.ack]);
    expect(reported(c)).toEqual(['1/0']);
  });

  it('wrong keys every time: no input', async () => {
    const c = await mergedCall(language, { kind: 'answer', presses: [{ keys: '5', atSeconds: 2 }, { keys: '0', atSeconds: 4 }, { keys: '*', atSeconds: 6 }] });
    expect(c.spoken).toEqual([`(cut) ${menu}`, `(cut) ${menu}`, `(cut) ${menu}`, say.none]);
    expect(reported(c)).toEqual(['none/0']);
  });

  it('the flow-result Lambda failing: the plural apology', async () => {
    const c = await mergedCall(language, { kind: 'answer', presses: [{ keys: '1', atSeconds: 2 }] }, true);
    expect(c.spoken).toEqual([`(cut) ${menu}`, say.failed]);
    expect(c.invocations).toHaveLength(1);
    expect(c.result.disconnectReason).toBe('CONTACT_FLOW_DISCONNECT');
  });

  it('an outcome the flow does not know: the alerts no longer need the responder', async () => {
    const result = await runContact(CALL_FLOW, {
      contactId: 'c-merged',
      attributes: mergedAttributes(language),
      callee: { kind: 'answer', presses: [{ keys: '1', atSeconds: 2 }] },
      invokeLambda: async () => ({ status: 'ignored', outcome: '' }),
      startMs: T0,
    });
    expect(result.transcript.at(-1)?.text).toBe(say.notNeeded);
  });

  it('hang up during the alerts: nothing reported', async () => {
    const c = await mergedCall(language, { kind: 'answer', hangUpAfterSeconds: 3 });
    expect(c.spoken).toEqual([`(cut) ${menu}`]);
    expect(c.invocations).toEqual([]);
    expect(c.result.disconnectReason).toBe('CUSTOMER_DISCONNECT');
  });
});

describe('the interpreter', () => {
  it('ignores keys pressed before a prompt starts', async () => {
    const c = await call('en-US', { kind: 'answer', afterSeconds: 5, presses: [{ keys: '9', atSeconds: 2 }, { keys: '1', atSeconds: 40 }] });
    // 9 was pressed during the alert: hours question. The 1 at 40 s arrives long after its time limit.
    expect(c.contact?.outcome).not.toBe('acknowledged');
  });

  it('names an action type it does not support instead of skipping it', async () => {
    const flow: RawFlow = { Version: '2019-10-30', StartAction: 'queue', Actions: [{ Identifier: 'queue', Type: 'TransferContactToQueue', Parameters: {}, Transitions: {} }] };
    await expect(
      runContact(flow, { contactId: 'c', attributes: {}, callee: { kind: 'answer' }, invokeLambda: async () => ({}), startMs: 0 }),
    ).rejects.toThrow(UnsupportedActionError);
    await expect(
      runContact(flow, { contactId: 'c', attributes: {}, callee: { kind: 'answer' }, invokeLambda: async () => ({}), startMs: 0 }),
    ).rejects.toThrow(/"queue" has type TransferContactToQueue/);
  });
});
