/**
 * Types for the part of the Amazon Connect Flow language (Version 2019-10-30) yobidashi uses.
 * Scalars are strings ("5", "True") as Connect writes them; a JSON boolean fails CreateContactFlow.
 */

export type Operator =
  | 'Equals'
  | 'TextStartsWith'
  | 'TextEndsWith'
  | 'TextContains'
  | 'NumberGreaterThan'
  | 'NumberGreaterOrEqualTo'
  | 'NumberLessThan'
  | 'NumberLessOrEqualTo';

export type ErrorType = 'NoMatchingError' | 'NoMatchingCondition' | 'InputTimeLimitExceeded' | 'InvalidPhoneNumber';

export interface Condition {
  NextAction: string;
  Condition: { Operator: Operator; Operands: [string] };
}

export interface Transitions {
  NextAction?: string;
  Conditions?: Condition[];
  Errors?: { NextAction: string; ErrorType: ErrorType }[];
}

type Prompt = { Text: string; SSML?: never } | { SSML: string; Text?: never };

export interface ActionParameters {
  Compare: { ComparisonValue: string };
  Loop: { LoopCount: string };
  UpdateContactTextToSpeechVoice: { TextToSpeechVoice: string; TextToSpeechEngine?: 'Neural' | 'Standard' | 'Generative'; TextToSpeechStyle?: string };
  UpdateContactData: { LanguageCode: string };
  TagContact: { Tags: Record<string, string> };
  UpdateContactAttributes: { Attributes: Record<string, string>; TargetContact: 'Current' };
  GetParticipantInput: Prompt & {
    InputTimeLimitSeconds: string;
    StoreInput: 'True' | 'False';
    DTMFConfiguration?: { InputTerminationSequence?: string; DisableCancelKey?: 'True' | 'False' };
    InputValidation?: { CustomValidation: { MaximumLength: string } };
  };
  InvokeLambdaFunction: {
    LambdaFunctionARN: string;
    InvocationTimeLimitSeconds: string;
    InvocationType: 'SYNCHRONOUS' | 'ASYNCHRONOUS';
    LambdaInvocationAttributes?: Record<string, string>;
    ResponseValidation?: { ResponseType: 'STRING_MAP' | 'JSON' };
  };
  MessageParticipant: Prompt;
  DisconnectParticipant: Record<string, never>;
}

export type ActionType = keyof ActionParameters;

export type Action = {
  [T in ActionType]: { Identifier: string; Type: T; Parameters: ActionParameters[T]; Transitions: Transitions };
}[ActionType];

export interface FlowContent {
  Version: '2019-10-30';
  StartAction: string;
  Metadata?: Record<string, unknown>;
  Actions: Action[];
}

/** A loosely typed action as read from JSON: the interpreter must cope with any Type, and say so. */
export interface RawAction {
  Identifier: string;
  Type: string;
  Parameters: Record<string, unknown>;
  Transitions: Transitions;
}

export interface RawFlow {
  Version: string;
  StartAction: string;
  Actions: RawAction[];
}
