import type { Action, Condition, FlowContent, Transitions } from './language.ts';
import { FLOW_LANGUAGES, PROMPTS, type FlowLanguage } from './prompts.ts';

/**
 * yobidashi's contact flow, as typed source. `npm run flow:generate` writes it to
 * contact-flow/generated/yobidashi-call.json; CDK deploys that file with the flow-result
 * function's ARN substituted for `${FlowResultFunctionArn}` (Fn::Sub), and the local Connect
 * simulator runs the same file.
 *
 *   check-language ─▶ voice, language, tags ─▶ menu (alert + "1 / 3 / 9", up to 3 times)
 *     1 ─▶ choice 1 ─┐   3 ─▶ choice 3 ─┐   9 ─▶ hours (store input, #, ≤3 digits, up to 3 times) ─▶ choice 9 ─┐
 *     no input ×3 ─▶ choice none ───────┴──────────────────────────────────────────────────────────┴─▶ report (Lambda)
 *   report ─▶ say what happened (per the Lambda's answer) ─▶ disconnect;   Lambda failed ─▶ apologise ─▶ disconnect
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

function say(Identifier: string, Text: string): Action {
  return {
    Identifier,
    Type: 'MessageParticipant',
    Parameters: { Text },
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

function languageBranch(lang: FlowLanguage): Action[] {
  const { code, voice, engine } = FLOW_LANGUAGES[lang];
  const text = PROMPTS[lang];
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
      Transitions: { NextAction: id('menu-loop') },
    },
    {
      Identifier: id('menu-loop'),
      Type: 'Loop',
      Parameters: { LoopCount: MENU_LOOPS },
      Transitions: {
        NextAction: id('no-input'),
        Conditions: [equals('ContinueLooping', id('menu')), equals('DoneLooping', id('no-input'))],
      },
    },
    {
      Identifier: id('menu'),
      Type: 'GetParticipantInput',
      Parameters: { SSML: text.menuSsml, InputTimeLimitSeconds: MENU_TIMEOUT_SECONDS, StoreInput: 'False' },
      Transitions: {
        NextAction: id('menu-loop'),
        Conditions: [equals('1', id('choice-ack')), equals('3', id('choice-skip')), equals('9', id('hours-loop'))],
        Errors: onError(id('menu-loop'), 'InputTimeLimitExceeded', 'NoMatchingCondition', 'NoMatchingError'),
      },
    },
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
      Transitions: { NextAction: id('outcome'), Errors: onError(id('report-failed'), 'NoMatchingError') },
    },
    {
      Identifier: id('outcome'),
      Type: 'Compare',
      Parameters: { ComparisonValue: '$.External.outcome' },
      Transitions: {
        NextAction: id('said-not-needed'),
        Conditions: [
          equals('acknowledged', id('said-ack')),
          equals('silenced', id('said-silenced')),
          equals('skipped', id('said-skip')),
          equals('answered-no-input', id('said-no-input')),
        ],
        Errors: onError(id('said-not-needed'), 'NoMatchingCondition'),
      },
    },
    say(id('said-ack'), text.acknowledged),
    say(id('said-silenced'), text.silenced),
    say(id('said-skip'), text.skipped),
    say(id('said-no-input'), text.noInput),
    say(id('said-not-needed'), text.notNeeded),
    say(id('report-failed'), text.reportFailed),
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
