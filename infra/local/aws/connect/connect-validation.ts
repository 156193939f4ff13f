import { ATTRIBUTE_KEY, attributesSize, CONNECT_ATTRIBUTES_MAX_BYTES } from '../../../../contact-flow/attributes.ts';
import { ConnectError } from './connect-error.ts';

/**
 * StartOutboundVoiceContact's input, checked as Connect checks it, before anything is counted,
 * stored or dialled. The constraints are Connect's service model (connect-2017-08-08, as botocore
 * 1.43 ships it; the API reference is generated from it) and the documented attribute limits:
 *
 * | member | constraint |
 * |---|---|
 * | InstanceId | required; string, length 1–100 |
 * | ContactFlowId | required; string, length ≤ 500 |
 * | DestinationPhoneNumber | required; E.164, `\+[1-9]\d{1,14}$` |
 * | ClientToken | string, length ≤ 500; no pattern (the model gives none: any characters, a newline too) |
 * | Attributes | map of string to string: key length 1–32,767, value ≤ 32,767; keys only letters, digits, `-` and `_`; at most 32,768 UTF-8 bytes over all keys and values ("Attributes" in the API reference) |
 * | SourcePhoneNumber | E.164, as above |
 * | QueueId | string |
 * | Name ≤ 1,024, Description ≤ 4,096, RelatedContactId 1–256, CampaignId 1–100 | strings |
 * | TrafficType | GENERAL or CAMPAIGN |
 * | RingTimeoutInSeconds | integer 15–60 |
 *
 * A member of the wrong JSON type is AWS's `SerializationException`; a constraint broken is
 * `InvalidParameterException` (the operation's modelled 400) with AWS's validation message:
 * "1 validation error detected: Value at 'clientToken' failed to satisfy constraint: Member must
 * have length less than or equal to 500" (values are not echoed: they may be anything).
 */

export interface StartOutboundVoiceContactInput {
  InstanceId: string;
  ContactFlowId: string;
  DestinationPhoneNumber: string;
  ClientToken?: string;
  Attributes?: Record<string, string>;
}

const E164 = /^\+[1-9]\d{1,14}$/;
const STRINGS = ['InstanceId', 'ContactFlowId', 'DestinationPhoneNumber', 'ClientToken', 'SourcePhoneNumber', 'QueueId', 'Name', 'Description', 'RelatedContactId', 'CampaignId', 'TrafficType'] as const;
const LENGTHS: Partial<Record<(typeof STRINGS)[number], [number, number]>> = {
  InstanceId: [1, 100],
  ContactFlowId: [0, 500],
  ClientToken: [0, 500],
  Name: [0, 1024],
  Description: [0, 4096],
  RelatedContactId: [1, 256],
  CampaignId: [1, 100],
};
const ATTRIBUTE_MAX_LENGTH = 32_767;

/** AWS's member names in validation messages: lowerCamelCase. */
const member = (name: string) => name[0]!.toLowerCase() + name.slice(1);

function validationError(problems: string[]): ConnectError {
  return new ConnectError('InvalidParameterException', `${problems.length} validation error${problems.length === 1 ? '' : 's'} detected: ${problems.join('; ')}`, 400);
}

function lengthProblem(length: number, [min, max]: [number, number]): string | undefined {
  if (length > max) return `Member must have length less than or equal to ${max}`;
  if (length < min) return `Member must have length greater than or equal to ${min}`;
  return undefined;
}

export function validateStartOutboundVoiceContact(body: Record<string, unknown>): StartOutboundVoiceContactInput {
  for (const name of STRINGS) {
    if (body[name] !== undefined && body[name] !== null && typeof body[name] !== 'string') throw new ConnectError('SerializationException', `${name}: expected a string`);
  }
  const attributes = body.Attributes;
  if (attributes !== undefined && attributes !== null) {
    if (typeof attributes !== 'object' || Array.isArray(attributes)) throw new ConnectError('SerializationException', 'Attributes: expected a map of strings');
    for (const [key, value] of Object.entries(attributes)) {
      if (typeof value !== 'string') throw new ConnectError('SerializationException', `Attributes.${key.slice(0, 100)}: expected a string`);
    }
  }
  const ring = body.RingTimeoutInSeconds;
  if (ring !== undefined && ring !== null && typeof ring !== 'number') throw new ConnectError('SerializationException', 'RingTimeoutInSeconds: expected a number');

  const problems: string[] = [];
  const problem = (name: string, constraint: string) => problems.push(`Value at '${member(name)}' failed to satisfy constraint: ${constraint}`);
  for (const name of ['InstanceId', 'ContactFlowId', 'DestinationPhoneNumber'] as const) {
    if (typeof body[name] !== 'string') problem(name, 'Member must not be null');
  }
  for (const [name, range] of Object.entries(LENGTHS) as [string, [number, number]][]) {
    const value = body[name];
    if (typeof value !== 'string') continue;
    const found = lengthProblem(value.length, range);
    if (found) problem(name, found);
  }
  for (const name of ['DestinationPhoneNumber', 'SourcePhoneNumber'] as const) {
    const value = body[name];
    if (typeof value === 'string' && !E164.test(value)) problem(name, 'Member must satisfy regular expression pattern: \\\\+[1-9]\\\\d{1,14}$');
  }
  if (typeof body.TrafficType === 'string' && body.TrafficType !== 'GENERAL' && body.TrafficType !== 'CAMPAIGN') problem('TrafficType', 'Member must satisfy enum value set: [GENERAL, CAMPAIGN]');
  if (typeof ring === 'number' && !(Number.isInteger(ring) && ring >= 15 && ring <= 60)) problem('RingTimeoutInSeconds', ring < 15 ? 'Member must have value greater than or equal to 15' : 'Member must have value less than or equal to 60');
  if (attributes && typeof attributes === 'object') {
    const map = attributes as Record<string, string>;
    const keys = Object.keys(map);
    if (keys.some((key) => key.length < 1 || key.length > ATTRIBUTE_MAX_LENGTH) || Object.values(map).some((value) => value.length > ATTRIBUTE_MAX_LENGTH)) {
      problem('Attributes', `Map keys must satisfy constraint: [Member must have length less than or equal to ${ATTRIBUTE_MAX_LENGTH}, Member must have length greater than or equal to 1]; Map values must satisfy constraint: [Member must have length less than or equal to ${ATTRIBUTE_MAX_LENGTH}]`);
    } else if (keys.some((key) => !ATTRIBUTE_KEY.test(key))) {
      problem('Attributes', 'Attribute keys can include only alphanumeric, dash, and underscore characters');
    } else if (attributesSize(map) > CONNECT_ATTRIBUTES_MAX_BYTES) {
      problem('Attributes', `There can be up to ${CONNECT_ATTRIBUTES_MAX_BYTES} UTF-8 bytes across all key-value pairs per contact`);
    }
  }
  if (problems.length > 0) {
    throw validationError(problems);
  }
  const input: StartOutboundVoiceContactInput = {
    InstanceId: body.InstanceId as string,
    ContactFlowId: body.ContactFlowId as string,
    DestinationPhoneNumber: body.DestinationPhoneNumber as string,
  };
  if (typeof body.ClientToken === 'string') input.ClientToken = body.ClientToken;
  if (attributes) input.Attributes = attributes as Record<string, string>;
  return input;
}

/** StopContact: ContactId (length 1–256) and InstanceId (1–100), both required. */
export function validateStopContact(body: Record<string, unknown>): void {
  const problems: string[] = [];
  for (const [name, range] of [
    ['ContactId', [1, 256]],
    ['InstanceId', [1, 100]],
  ] as const) {
    const value = body[name];
    if (value !== undefined && value !== null && typeof value !== 'string') throw new ConnectError('SerializationException', `${name}: expected a string`);
    const found = typeof value === 'string' ? lengthProblem(value.length, [...range]) : 'Member must not be null';
    if (found) problems.push(`Value at '${member(name)}' failed to satisfy constraint: ${found}`);
  }
  if (problems.length > 0) throw validationError(problems);
}
