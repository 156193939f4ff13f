import type { Action, Condition, FlowContent, Transitions } from './flow-language.ts';
import { FLOW_LANGUAGES, MERGED_PROMPTS, PROMPTS, type FlowLanguage, type MergedPrompts } from './prompts.ts';

/**
 * yobidashi's contact flow, as typed source. `npm run flow:generate` writes it to
 * contact-flow/generated/yobidashi-call.json; CDK deploys that file with the flow-result
 * function's ARN substituted for `${FlowResultFunctionArn}` (Fn::Sub), and the local Connect
 * simulator runs the same file.
 *
 *   check-language ─▶ voice, language, tags ─▶ count? ─▶ menu (alert + "1 / 3 / 9", up to 3 times)
 *     1 ─▶ choice 1 ─┐   3 ─▶ choice 3 ─┐   9 ─▶ hours (store input, #, ≤3 digits, up to 3 times) ─▶ choice 9 ─┐
 *     no input ×3 ─▶ choice none ───────┴──────────────────────────────────────────────────────────┴─▶ report (Lambda)
 *   report ─▶ count? ─▶ say what happened (per the Lambda's answer) ─▶ disconnect
 *   Lambda failed ─▶ count? ─▶ apologise ─▶ disconnect
 *
 * `count?` compares the contact attribute `count` (how many incidents the call covers): a number
 * above 1 takes the merged call's plural menu and confirmations, anything else (1, absent, not a
 * number) the single call's. The menu has a loop of its own per wording; choices, the hours
 * question and the report are shared, so the Lambda is invoked once with the same parameters.
 */

export const FLOW_RESULT_ARN = '${FlowResultFunctionArn}';
export const MENU_LOOPS = '3';
export const MENU_TIMEOUT_SECONDS = '5';
export const HOURS_TIMEOUT_SECONDS = '8';
export const LAMBDA_TIMEOUT_SECONDS = '8';

const equals = (operand: string, NextAction: string): Condition => ({ NextAction, Condition: { Operator: 'Equals', Operands: [operand] } });
const onError = (NextAction: string, ...types: NonNullable<Transitions['Errors']>[number]['ErrorType'][]): Transitions['Errors'] =>
  types.map((ErrorType) => ({ NextAction, ErrorType }));
const DISCONNECT = 'disconnect';

/** A prompt is played as SSML when it is a `<speak>` document, as text otherwise. */
function prompt(text: string): { Text: string } | { SSML: string } {
  return text.startsWith('<speak>') ? { SSML: text } : { Text: text };
}

function say(Identifier: string, text: string): Action {
  return {
    Identifier,
    Type: 'MessageParticipant',
    Parameters: prompt(text),
    Transitions: { NextAction: DISCONNECT, Errors: onError(DISCONNECT, 'NoMatchingError') },
  };
}

function setChoice(Identifier: string, choice: string, hours: string, next: string): Action {
  return {
    Identifier,
    Type: 'UpdateContactAttributes',
    Parameters: { Attributes: { choice, hours }, TargetContact: 'Current' },
    Transitions: { NextAction: next, Errors: onError(next, 'NoMatchingError') },
  };
}

/**
 * Branches on how many incidents the call covers: Equals "1" or no match (absent, empty, not a
 * number) → `single`; a number above 1 → `merged`.
 */
function byCount(Identifier: string, single: string, merged: string): Action {
  return {
    Identifier,
    Type: 'Compare',
    Parameters: { ComparisonValue: '$.Attributes.count' },
    Transitions: {
      NextAction: single,
      Conditions: [equals('1', single), { NextAction: merged, Condition: { Operator: 'NumberGreaterThan', Operands: ['1'] } }],
      Errors: onError(single, 'NoMatchingCondition'),
    },
  };
}

/** The alert and menu prompt with its loop (3 times at most, then "no input"). */
function menu(id: (name: string) => string, suffix: string, menuSsml: string): Action[] {
  return [
    {
      Identifier: id(`menu-loop${suffix}`),
      Type: 'Loop',
      Parameters: { LoopCount: MENU_LOOPS },
      Transitions: {
        NextAction: id('no-input'),
        Conditions: [equals('ContinueLooping', id(`menu${suffix}`)), equals('DoneLooping', id('no-input'))],
      },
    },
    {
      Identifier: id(`menu${suffix}`),
      Type: 'GetParticipantInput',
      Parameters: { SSML: menuSsml, InputTimeLimitSeconds: MENU_TIMEOUT_SECONDS, StoreInput: 'False' },
      Transitions: {
        NextAction: id(`menu-loop${suffix}`),
        Conditions: [equals('1', id('choice-ack')), equals('3', id('choice-skip')), equals('9', id('hours-loop'))],
        Errors: onError(id(`menu-loop${suffix}`), 'InputTimeLimitExceeded', 'NoMatchingCondition', 'NoMatchingError'),
      },
    },
  ];
}

/** Says what the flow-result Lambda recorded (its `outcome`), in one wording. */
function confirmation(id: (name: string) => string, suffix: string, text: MergedPrompts): Action[] {
  const said = (name: string) => id(`said-${name}${suffix}`);
  return [
    {
      Identifier: id(`outcome${suffix}`),
      Type: 'Compare',
      Parameters: { ComparisonValue: '$.External.outcome' },
      Transitions: {
        NextAction: said('not-needed'),
        Conditions: [
          equals('acknowledged', said('ack')),
          equals('silenced', said('silenced')),
          equals('skipped', said('skip')),
          equals('answered-no-input', said('no-input')),
        ],
        Errors: onError(said('not-needed'), 'NoMatchingCondition'),
      },
    },
    say(said('ack'), text.acknowledged),
    say(said('silenced'), text.silenced),
    say(said('skip'), text.skipped),
    say(said('no-input'), text.noInput),
    say(said('not-needed'), text.notNeeded),
    say(id(`report-failed${suffix}`), text.reportFailed),
  ];
}

function languageBranch(lang: FlowLanguage): Action[] {
  const { code, voice, engine } = FLOW_LANGUAGES[lang];
  const text = PROMPTS[lang];
  const merged = MERGED_PROMPTS[lang];
  const id = (name: string) => `${name}-${lang}`;
  return [
    {
      Identifier: id('voice'),
      Type: 'UpdateContactTextToSpeechVoice',
      Parameters: { TextToSpeechVoice: voice, TextToSpeechEngine: engine },
      Transitions: { NextAction: id('language'), Errors: onError(id('language'), 'NoMatchingError') },
    },
    {
      Identifier: id('language'),
      Type: 'UpdateContactData',
      Parameters: { LanguageCode: code },
      Transitions: { NextAction: id('tag'), Errors: onError(id('tag'), 'NoMatchingError') },
    },
    {
      Identifier: id('tag'),
      Type: 'TagContact',
      Parameters: { Tags: { yobidashiIncident: '$.Attributes.incidentId', yobidashiAttempt: '$.Attributes.attempt' } },
      Transitions: { NextAction: id('count-menu') },
    },
    byCount(id('count-menu'), id('menu-loop'), id('menu-loop-all')),
    ...menu(id, '', text.menuSsml),
    ...menu(id, '-all', merged.menuSsml),
    setChoice(id('choice-ack'), '1', '0', id('report')),
    setChoice(id('choice-skip'), '3', '0', id('report')),
    {
      Identifier: id('hours-loop'),
      Type: 'Loop',
      Parameters: { LoopCount: MENU_LOOPS },
      Transitions: {
        NextAction: id('no-input'),
        Conditions: [equals('ContinueLooping', id('hours')), equals('DoneLooping', id('no-input'))],
      },
    },
    {
      Identifier: id('hours'),
      Type: 'GetParticipantInput',
      Parameters: {
        Text: text.hours,
        InputTimeLimitSeconds: HOURS_TIMEOUT_SECONDS,
        StoreInput: 'True',
        DTMFConfiguration: { InputTerminationSequence: '#', DisableCancelKey: 'False' },
        InputValidation: { CustomValidation: { MaximumLength: '3' } },
      },
      Transitions: { NextAction: id('hours-check'), Errors: onError(id('hours-loop'), 'NoMatchingError') },
    },
    {
      // Stored input is "Timeout" when nothing was keyed; an empty entry (just #) means 12 hours.
      Identifier: id('hours-check'),
      Type: 'Compare',
      Parameters: { ComparisonValue: '$.StoredCustomerInput' },
      Transitions: {
        NextAction: id('choice-silence'),
        Conditions: [
          equals('Timeout', id('hours-loop')),
          { NextAction: id('hours-loop'), Condition: { Operator: 'NumberLessThan', Operands: ['1'] } },
          { NextAction: id('hours-loop'), Condition: { Operator: 'NumberGreaterThan', Operands: ['168'] } },
        ],
        Errors: onError(id('choice-silence'), 'NoMatchingCondition'),
      },
    },
    setChoice(id('choice-silence'), '9', '$.StoredCustomerInput', id('report')),
    setChoice(id('no-input'), 'none', '0', id('report')),
    {
      Identifier: id('report'),
      Type: 'InvokeLambdaFunction',
      Parameters: {
        LambdaFunctionARN: FLOW_RESULT_ARN,
        InvocationTimeLimitSeconds: LAMBDA_TIMEOUT_SECONDS,
        InvocationType: 'SYNCHRONOUS',
        LambdaInvocationAttributes: {
          choice: '$.Attributes.choice',
          hours: '$.Attributes.hours',
          incidentId: '$.Attributes.incidentId',
          attempt: '$.Attributes.attempt',
        },
        ResponseValidation: { ResponseType: 'STRING_MAP' },
      },
      Transitions: { NextAction: id('count-outcome'), Errors: onError(id('count-failed'), 'NoMatchingError') },
    },
    byCount(id('count-outcome'), id('outcome'), id('outcome-all')),
    byCount(id('count-failed'), id('report-failed'), id('report-failed-all')),
    ...confirmation(id, '', text),
    ...confirmation(id, '-all', merged),
  ];
}

export function buildFlow(): FlowContent {
  return {
    Version: '2019-10-30',
    StartAction: 'check-language',
    Metadata: { name: 'yobidashi-call', description: 'Speaks an alert and reads 1 / 3 / 9‥# (generated by contact-flow/flow.ts)' },
    Actions: [
      {
        Identifier: 'check-language',
        Type: 'Compare',
        Parameters: { ComparisonValue: '$.Attributes.language' },
        Transitions: {
          NextAction: 'voice-ja',
          Conditions: [equals('en-US', 'voice-en'), equals('ja-JP', 'voice-ja')],
          Errors: onError('voice-ja', 'NoMatchingCondition'),
        },
      },
      ...languageBranch('ja'),
      ...languageBranch('en'),
      { Identifier: DISCONNECT, Type: 'DisconnectParticipant', Parameters: {}, Transitions: {} },
    ],
  };
}

/** The exact bytes checked in and deployed: stable key order, two-space indent, trailing newline. */
export function renderFlow(flow: FlowContent = buildFlow()): string {
  return `${JSON.stringify(flow, null, 2)}\n`;
}
