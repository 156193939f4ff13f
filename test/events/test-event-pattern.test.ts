import { describe, expect, it } from 'vitest';
import {
  InvalidEventError,
  InvalidEventPatternError,
  REQUIRED_EVENT_FIELDS,
  testEventPattern,
  toAwsError,
} from '../../events/pattern/index.ts';

/** The smallest event TestEventPattern accepts. */
const EVENT = { id: '1', account: '123456789012', source: 'test-source', time: '2022-07-13T13:48:01Z', region: 'us-east-2', 'detail-type': 'test-detail-type' };
const text = (value: unknown): string => JSON.stringify(value);

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('did not throw');
}

describe('testEventPattern: the TestEventPattern decision', () => {
  it('answers true and false', () => {
    expect(testEventPattern(text({ source: ['test-source'] }), text(EVENT))).toBe(true);
    expect(testEventPattern(text({ source: ['other'] }), text(EVENT))).toBe(false);
    expect(testEventPattern(text({ detail: { 'a.b': [1] } }), text({ ...EVENT, detail: { a: { b: 1 } } }))).toBe(true);
  });

  it.each([
    ['an array', text(['plain string'])],
    ['a string', text('plain string')],
    ['not JSON', 'plain string'],
    ['null', 'null'],
    ['a number', '5'],
    ['an object without the required fields', text({ testEvent: 'value' })],
    ...REQUIRED_EVENT_FIELDS.map((field) => [`an event without "${field}"`, text(Object.fromEntries(Object.entries(EVENT).filter(([k]) => k !== field)))]),
  ])('refuses %s as AWS does: ValidationException "Parameter Event is not valid."', (_name, event) => {
    const error = thrown(() => testEventPattern(text({ source: ['x'] }), event));
    expect(error).toBeInstanceOf(InvalidEventError);
    expect((error as Error).message).toBe('Parameter Event is not valid.');
    expect(toAwsError(error)).toEqual({ code: 'ValidationException', message: 'Parameter Event is not valid.', status: 400 });
  });

  it('needs no "resources", though the API reference lists it', () => {
    expect(testEventPattern(text({ source: ['test-source'] }), text(EVENT))).toBe(true);
  });

  it('accepts required fields of any value, null included', () => {
    expect(testEventPattern(text({ 'detail-type': [null] }), text({ ...EVENT, 'detail-type': null }))).toBe(true);
  });

  it.each([
    ['not JSON', '{"not": closed mark"'],
    ['JSON but not an object', text(['not', 'a', 'dict'])],
    ['a bare value', text({ int: 42 })],
    ['too complex', text({ EventBusArn: [{ wildcard: '*:*:*:*:*:event-bus/*' }] })],
  ])('refuses a pattern that is %s: InvalidEventPatternException', (_name, pattern) => {
    const error = thrown(() => testEventPattern(pattern, text(EVENT)));
    expect(error).toBeInstanceOf(InvalidEventPatternError);
    const aws = toAwsError(error);
    expect(aws?.code).toBe('InvalidEventPatternException');
    expect(aws?.status).toBe(400);
    expect(aws?.message).toMatch(/^Event pattern is not valid\. Reason: /);
  });

  it("gives AWS's complexity message word for word", () => {
    const error = thrown(() => testEventPattern(text({ EventBusArn: [{ wildcard: '*:*:*:*:*:event-bus/*' }] }), text({ ...EVENT, EventBusArn: 'x' })));
    expect(toAwsError(error)?.message).toBe(
      'Event pattern is not valid. Reason: Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character',
    );
  });

  it('judges the event before the pattern', () => {
    expect(thrown(() => testEventPattern('not json', '[]'))).toBeInstanceOf(InvalidEventError);
  });

  it('leaves other errors alone', () => {
    expect(toAwsError(new Error('boom'))).toBeUndefined();
  });
});
