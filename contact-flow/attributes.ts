/**
 * The contact attributes a yobidashi call carries, and Connect's limit on them.
 *
 * Set by the call handler (StartOutboundVoiceContact `Attributes`, handlers/lib/call-attributes.ts):
 *
 *   incidentId, attempt   the lead incident of the call and its attempt (tags, the Lambda's parameters)
 *   systemname, host, service, startdate, language
 *   message, messageSsml  what is read out (domain/message.ts), plain and XML-escaped for SSML
 *   count                 how many incidents the call covers, decimal: "1" for an ordinary call,
 *                         more for a merged call; absent is read as "1" (calls placed before merging)
 *   covers                every incident the call covers as `incidentId:attempt`, comma-separated,
 *                         the lead included (the flow-result handler reads it from ContactData)
 *
 * Set by the flow itself (UpdateContactAttributes): `choice` and `hours`.
 */

/** Connect allows up to 32,768 UTF-8 bytes across all user-defined attributes of a contact, keys included. */
export const CONNECT_ATTRIBUTES_MAX_BYTES = 32_768;

/** Attribute keys may hold only letters, digits, dash and underscore. */
export const ATTRIBUTE_KEY = /^[A-Za-z0-9_-]+$/;

/** What the call handler sets; the flow may read these and the attributes it sets itself, nothing else. */
export const CALL_ATTRIBUTES = [
  'incidentId',
  'attempt',
  'systemname',
  'host',
  'service',
  'startdate',
  'language',
  'message',
  'messageSsml',
  'count',
  'covers',
] as const;
export type CallAttribute = (typeof CALL_ATTRIBUTES)[number];

/**
 * The most the flow adds to a contact's attributes: `choice` ("none" at the longest) and `hours`
 * (the stored keypad entry, at most three digits). A call's own attributes must leave room for it.
 */
export const FLOW_SET_ATTRIBUTES_MAX: Readonly<Record<string, string>> = { choice: 'none', hours: '999' };

const utf8 = new TextEncoder();

/** The size Connect counts: UTF-8 bytes of every key and every value. */
export function attributesSize(attributes: Record<string, string>): number {
  let bytes = 0;
  for (const [key, value] of Object.entries(attributes)) bytes += utf8.encode(key).length + utf8.encode(value).length;
  return bytes;
}

/**
 * What Connect would refuse about a call's attributes: a key with other characters, or a total
 * that, with what the flow adds later, goes over the limit. Empty when the call can be placed.
 */
export function attributeProblems(attributes: Record<string, string>): string[] {
  const problems = Object.keys(attributes)
    .filter((key) => !ATTRIBUTE_KEY.test(key))
    .map((key) => `attribute key "${key}" may hold only letters, digits, - and _`);
  const size = attributesSize({ ...attributes, ...FLOW_SET_ATTRIBUTES_MAX });
  if (size > CONNECT_ATTRIBUTES_MAX_BYTES) problems.push(`attributes take ${size} bytes with the flow's own; Connect allows ${CONNECT_ATTRIBUTES_MAX_BYTES}`);
  return problems;
}
