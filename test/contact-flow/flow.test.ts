import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CALL_FLOW, buildFlow, renderFlow, validateFlow } from '../../contact-flow/index.ts';
import { GENERATED_FLOW_PATH } from '../../contact-flow/generate.ts';
import type { RawFlow } from '../../contact-flow/flow-language.ts';

const clone = (): RawFlow => JSON.parse(JSON.stringify(CALL_FLOW)) as RawFlow;
const action = (flow: RawFlow, id: string) => {
  const found = flow.Actions.find((a) => a.Identifier === id);
  if (!found) throw new Error(`no ${id}`);
  return found;
};

describe('the generated contact flow', () => {
  it('is checked in byte for byte as the typed source generates it (run `npm run flow:generate`)', async () => {
    expect(await readFile(GENERATED_FLOW_PATH, 'utf8')).toBe(renderFlow(buildFlow()));
  });

  it('passes every documented limit', () => {
    expect(validateFlow(CALL_FLOW, renderFlow())).toEqual([]);
    expect(CALL_FLOW.Actions.length).toBeLessThanOrEqual(250);
  });

  it('sets a Japanese neural voice for ja-JP and Joanna for en-US', () => {
    expect(action(CALL_FLOW, 'voice-ja').Parameters).toEqual({ TextToSpeechVoice: 'Kazuha', TextToSpeechEngine: 'Neural' });
    expect(action(CALL_FLOW, 'voice-en').Parameters).toEqual({ TextToSpeechVoice: 'Joanna', TextToSpeechEngine: 'Neural' });
  });

  it('reads the menu as one interruptible prompt with the alert in it', () => {
    const menu = action(CALL_FLOW, 'menu-en');
    expect(menu.Parameters.StoreInput).toBe('False');
    expect(String(menu.Parameters.SSML)).toContain('$.Attributes.messageSsml');
    expect(menu.Transitions.Conditions?.map((c) => c.Condition.Operands[0])).toEqual(['1', '3', '9']);
  });

  it('reads a merged call (count above 1) its own plural menu, with the same keys and the same alert attribute', () => {
    for (const lang of ['ja', 'en']) {
      expect(action(CALL_FLOW, `tag-${lang}`).Transitions.NextAction).toBe(`count-menu-${lang}`);
      const count = action(CALL_FLOW, `count-menu-${lang}`);
      expect(count).toMatchObject({ Type: 'Compare', Parameters: { ComparisonValue: '$.Attributes.count' } });
      expect(count.Transitions).toEqual({
        NextAction: `menu-loop-${lang}`,
        Conditions: [
          { NextAction: `menu-loop-${lang}`, Condition: { Operator: 'Equals', Operands: ['1'] } },
          { NextAction: `menu-loop-all-${lang}`, Condition: { Operator: 'NumberGreaterThan', Operands: ['1'] } },
        ],
        Errors: [{ NextAction: `menu-loop-${lang}`, ErrorType: 'NoMatchingCondition' }],
      });
      const single = action(CALL_FLOW, `menu-${lang}`);
      const merged = action(CALL_FLOW, `menu-all-${lang}`);
      expect(String(merged.Parameters.SSML)).toContain('$.Attributes.messageSsml');
      expect(merged.Parameters.SSML).not.toBe(single.Parameters.SSML);
      expect(merged.Transitions.Conditions).toEqual(single.Transitions.Conditions);
    }
    expect(action(CALL_FLOW, 'menu-all-en').Parameters.SSML).toContain('Press 1 to acknowledge all of them, 3 to pass them to the next person, or 9 to silence them all.');
    expect(action(CALL_FLOW, 'said-ack-all-en').Parameters.Text).toBe('Acknowledged, all $.Attributes.count. They are yours. Thank you.');
  });

  it('invokes the flow-result Lambda from one action per language, single or merged', () => {
    const reports = CALL_FLOW.Actions.filter((a) => a.Type === 'InvokeLambdaFunction').map((a) => a.Identifier);
    expect(reports).toEqual(['report-ja', 'report-en']);
  });

  it('invokes the flow-result Lambda synchronously within 8 s, with a placeholder ARN for CDK', () => {
    const report = action(CALL_FLOW, 'report-ja');
    expect(report.Parameters).toMatchObject({
      LambdaFunctionARN: '${FlowResultFunctionArn}',
      InvocationType: 'SYNCHRONOUS',
      InvocationTimeLimitSeconds: '8',
      LambdaInvocationAttributes: { choice: '$.Attributes.choice', hours: '$.Attributes.hours', incidentId: '$.Attributes.incidentId', attempt: '$.Attributes.attempt' },
    });
  });
});

describe('the validator', () => {
  it.each<[string, (flow: RawFlow) => void, RegExp]>([
    ['duplicate identifiers', (f) => f.Actions.push({ ...action(f, 'disconnect') }), /used twice/],
    ['a forbidden character', (f) => (action(f, 'disconnect').Identifier = 'dis:connect'), /contains one of/],
    ['an identifier over 50 characters', (f) => (action(f, 'menu-en').Identifier = 'x'.repeat(51)), /1-50 characters/],
    ['a dangling NextAction', (f) => (action(f, 'said-ack-en').Transitions.NextAction = 'nowhere'), /"nowhere" does not exist/],
    ['a missing StartAction', (f) => (f.StartAction = 'nope'), /StartAction "nope"/],
    ['conditions on stored input', (f) => (action(f, 'hours-ja').Transitions.Conditions = [{ NextAction: 'disconnect', Condition: { Operator: 'Equals', Operands: ['1'] } }]), /only allowed with StoreInput False/],
    ['a two-character menu operand', (f) => (action(f, 'menu-ja').Transitions.Conditions![0]!.Condition.Operands = ['12']), /single character/],
    ['a Lambda time limit of 9 s', (f) => (action(f, 'report-en').Parameters.InvocationTimeLimitSeconds = '9'), /must be 1-8/],
    ['a missing NoMatchingError branch', (f) => (action(f, 'report-en').Transitions.Errors = []), /no NoMatchingError branch/],
    ['a missing InputTimeLimitExceeded branch', (f) => (action(f, 'menu-en').Transitions.Errors = action(f, 'menu-en').Transitions.Errors!.filter((e) => e.ErrorType !== 'InputTimeLimitExceeded')), /no InputTimeLimitExceeded/],
    ['a JSON boolean parameter', (f) => ((action(f, 'menu-en').Parameters as Record<string, unknown>).StoreInput = false), /StoreInput must be a string/],
    ['too many actions', (f) => { for (let i = 0; i < 250; i++) f.Actions.push({ Identifier: `extra-${i}`, Type: 'DisconnectParticipant', Parameters: {}, Transitions: {} }); }, /Connect allows 250/],
    ['bad SSML', (f) => (action(f, 'menu-en').Parameters.SSML = '<speak>R&D</speak>'), /bare ampersand/],
    ['an attribute nobody sets', (f) => (action(f, 'said-ack-en').Parameters.Text = 'All $.Attributes.cuont of them.'), /said-ack-en \(MessageParticipant\): reads \$\.Attributes\.cuont, which neither/],
    ['an attribute key Connect refuses', (f) => ((action(f, 'choice-ack-en').Parameters.Attributes as Record<string, string>)['my choice'] = '1'), /attribute key "my choice"/],
    ['an unreachable action', (f) => f.Actions.push({ Identifier: 'orphan', Type: 'DisconnectParticipant', Parameters: {}, Transitions: {} }), /orphan: unreachable/],
    // A reference running into the word after it: Connect would read a longer name.
    ['a reference followed by Japanese (the old silence prompt)', (f) => (action(f, 'said-silenced-ja').Parameters = { Text: '$.External.hours時間、静観します。' }), /said-silenced-ja \(MessageParticipant\): "\$\.External\.hours時間、…" runs a reference into the text after it/],
    ['a reference followed by a kanji counter in SSML', (f) => (action(f, 'said-ack-all-ja').Parameters = { SSML: '<speak>$.Attributes.count件です。</speak>' }), /said-ack-all-ja .*"\$\.Attributes\.count件です…" runs a reference/],
    ['a reference followed by an accented letter', (f) => (action(f, 'said-silenced-en').Parameters.Text = 'For $.External.hoursé.'), /"\$\.External\.hoursé\.…" runs a reference/],
    ['a reference followed by a full-width digit', (f) => (action(f, 'said-silenced-en').Parameters.Text = 'For $.External.hours１ hours.'), /runs a reference/],
    ['a reference followed by a dot and a word (a nested path)', (f) => (action(f, 'said-ack-all-en').Parameters.Text = 'All $.Attributes.count.them'), /"\$\.Attributes\.count\.th…" runs a reference/],
    ['a reference in a Lambda parameter followed by a letter', (f) => ((action(f, 'report-ja').Parameters.LambdaInvocationAttributes as Record<string, string>).hours = '$.Attributes.hoursＨ'), /report-ja \(InvokeLambdaFunction\): .* runs a reference/],
  ])('rejects %s', (_, breakIt, message) => {
    const flow = clone();
    breakIt(flow);
    expect(validateFlow(flow).join('\n')).toMatch(message);
  });

  it('accepts a reference delimited by a space, punctuation, an SSML tag or the end of the text', () => {
    const flow = clone();
    action(flow, 'said-silenced-en').Parameters.Text = 'Silenced for $.External.hours hours, all $.Attributes.count. Done: $.External.hours';
    action(flow, 'said-silenced-ja').Parameters = { SSML: '<speak><say-as interpret-as="cardinal">$.External.hours</say-as>時間、$.Attributes.count、</speak>' };
    expect(validateFlow(flow)).toEqual([]);
  });

  it('no prompt runs a reference into Japanese: the counted numbers are SSML, each reference alone in a say-as', () => {
    const japanese = CALL_FLOW.Actions.filter((a) => a.Identifier.endsWith('-ja') && JSON.stringify(a.Parameters).match(/\$\.(Attributes|External)\.\w+[^\x00-\x7f]/));
    expect(japanese).toEqual([]);
    expect(action(CALL_FLOW, 'said-silenced-ja').Parameters).toEqual({ SSML: '<speak><say-as interpret-as="cardinal">$.External.hours</say-as>時間、静観します。</speak>' });
    expect(action(CALL_FLOW, 'said-silenced-all-ja').Parameters).toEqual({ SSML: '<speak><say-as interpret-as="cardinal">$.External.hours</say-as>時間、すべて静観します。</speak>' });
    expect(action(CALL_FLOW, 'said-ack-all-ja').Parameters).toEqual({ SSML: '<speak><say-as interpret-as="cardinal">$.Attributes.count</say-as>件すべての確認を受け付けました。対応をお願いします。</speak>' });
    // English needs no SSML: a space follows the reference.
    expect(action(CALL_FLOW, 'said-silenced-en').Parameters).toEqual({ Text: 'Silenced for $.External.hours hours.' });
  });

  it('rejects content over 256,000 characters', () => {
    expect(validateFlow(CALL_FLOW, 'x'.repeat(256_001)).join()).toMatch(/Connect allows 256000/);
  });
});
