import { describe, expect, it } from 'vitest';
import {
  InvalidEventPatternError,
  matchesEventPattern,
  validateEventPattern,
} from '../../events/pattern/index.ts';
import { complexityOfWildcards, MAX_WILDCARD_COMPLEXITY, TOO_COMPLEX } from '../../events/pattern/complexity.ts';

interface InvalidCase {
  name: string;
  pattern: unknown;
  /** Expected message: starts with the path, then contains this text. */
  path: string;
  reason: string | RegExp;
}

const invalidCases: InvalidCase[] = [
  // structure
  { name: 'null pattern', pattern: null, path: 'pattern', reason: 'must be a JSON object' },
  { name: 'array pattern', pattern: [{ source: ['x'] }], path: 'pattern', reason: 'must be a JSON object' },
  { name: 'JSON text instead of an object', pattern: '{"source":["x"]}', path: 'pattern', reason: 'parse the JSON text first' },
  { name: 'empty pattern', pattern: {}, path: 'pattern', reason: 'empty objects are not allowed' },
  { name: 'empty nested object', pattern: { detail: {} }, path: 'detail', reason: 'empty objects are not allowed' },
  { name: 'leaf is a bare string', pattern: { source: 'aws.ec2' }, path: 'source', reason: 'must be an array of match values or a nested pattern object' },
  { name: 'leaf is a number', pattern: { detail: { count: 5 } }, path: 'detail.count', reason: 'got number 5' },
  { name: 'operator not wrapped in an array', pattern: { detail: { state: { prefix: 'x' } } }, path: 'detail.state.prefix', reason: 'operators go inside the field\'s array' },
  { name: 'empty leaf array', pattern: { source: [] }, path: 'source', reason: 'empty arrays are not allowed' },
  { name: 'nested array value', pattern: { source: [['a']] }, path: 'source', reason: 'cannot be nested arrays' },
  { name: 'non-finite number', pattern: { detail: { n: [Number.NaN] } }, path: 'detail.n', reason: 'not a finite JSON number' },
  { name: 'unsupported JS value', pattern: { detail: { n: [undefined] } }, path: 'detail.n', reason: 'got undefined' },

  // operator objects
  { name: 'unknown operator', pattern: { detail: { type: [{ contains: 'x' }] } }, path: 'detail.type', reason: 'unknown operator "contains"' },
  { name: 'two operators in one object', pattern: { source: [{ prefix: 'a', suffix: 'b' }] }, path: 'source', reason: 'exactly one operator, got "prefix", "suffix"' },
  { name: 'empty operator object', pattern: { source: [{}] }, path: 'source', reason: 'exactly one operator, got an empty object' },
  { name: 'prefix with a number', pattern: { source: [{ prefix: 1 }] }, path: 'source', reason: '"prefix" takes a string' },
  { name: 'prefix with another nested operator', pattern: { source: [{ prefix: { wildcard: 'a*' } }] }, path: 'source', reason: '{"equals-ignore-case": string}' },
  { name: 'suffix with null', pattern: { source: [{ suffix: null }] }, path: 'source', reason: '"suffix" takes a string' },
  { name: 'equals-ignore-case with a list', pattern: { source: [{ 'equals-ignore-case': ['a'] }] }, path: 'source', reason: '"equals-ignore-case" takes a string' },
  { name: 'exists with a string', pattern: { 'replay-name': [{ exists: 'false' }] }, path: 'replay-name', reason: '"exists" takes true or false' },

  // numeric
  { name: 'numeric odd item count', pattern: { detail: { status: [{ numeric: ['>', 0, '<='] }] } }, path: 'detail.status', reason: 'numeric range needs an even number of operator/value items' },
  { name: 'numeric empty', pattern: { detail: { status: [{ numeric: [] }] } }, path: 'detail.status', reason: 'numeric range needs an even number of operator/value items' },
  { name: 'numeric not an array', pattern: { detail: { n: [{ numeric: 5 }] } }, path: 'detail.n', reason: '"numeric" takes an array' },
  { name: 'numeric unknown operator', pattern: { detail: { n: [{ numeric: ['!=', 5] }] } }, path: 'detail.n', reason: 'unknown numeric operator "!="' },
  { name: 'numeric bound is a string', pattern: { detail: { n: [{ numeric: ['>', '5'] }] } }, path: 'detail.n', reason: 'numeric operator ">" needs a number' },
  { name: 'numeric upper bound first', pattern: { detail: { n: [{ numeric: ['<', 10, '>', 0] }] } }, path: 'detail.n', reason: 'lower bound (">" or ">=") followed by an upper bound' },
  { name: 'numeric two lower bounds', pattern: { detail: { n: [{ numeric: ['>', 0, '>=', 1] }] } }, path: 'detail.n', reason: 'lower bound (">" or ">=") followed by an upper bound' },
  { name: 'numeric empty range', pattern: { detail: { n: [{ numeric: ['>', 5, '<', 5] }] } }, path: 'detail.n', reason: 'numeric range is empty' },
  { name: 'numeric = combined', pattern: { detail: { n: [{ numeric: ['=', 5, '<', 6] }] } }, path: 'detail.n', reason: '"=" cannot be combined' },
  { name: 'numeric three pairs', pattern: { detail: { n: [{ numeric: ['>', 0, '<', 5, '<', 6] }] } }, path: 'detail.n', reason: 'at most two operator/value pairs' },
  { name: 'numeric out of range', pattern: { detail: { n: [{ numeric: ['>', 6e9] }] } }, path: 'detail.n', reason: 'outside the supported range' },

  // cidr
  { name: 'cidr without mask', pattern: { ip: [{ cidr: '10.0.0.0' }] }, path: 'ip', reason: 'exactly one "/" is required' },
  { name: 'cidr mask too large', pattern: { ip: [{ cidr: '10.0.0.0/33' }] }, path: 'ip', reason: 'IPv4 mask bits must be < 32' },
  { name: 'cidr /32 (use a plain value)', pattern: { ip: [{ cidr: '10.0.0.1/32' }] }, path: 'ip', reason: 'IPv4 mask bits must be < 32' },
  { name: 'cidr IPv6 /128', pattern: { ip: [{ cidr: '2001:db8::1/128' }] }, path: 'ip', reason: 'IPv6 mask bits must be < 128' },
  { name: 'cidr bad octet', pattern: { ip: [{ cidr: '300.0.0.0/8' }] }, path: 'ip', reason: 'is not an IPv4 or IPv6 address' },
  { name: 'cidr bad IPv6', pattern: { ip: [{ cidr: '2001:db8:::1/64' }] }, path: 'ip', reason: 'is not an IPv4 or IPv6 address' },
  { name: 'cidr IPv6 with a dotted IPv4 tail', pattern: { ip: [{ cidr: '::ffff:10.0.0.0/104' }] }, path: 'ip', reason: 'is not an IPv4 or IPv6 address' },
  { name: 'cidr IPv4-mapped base is IPv4 (mask < 32)', pattern: { ip: [{ cidr: '::ffff:0:0/96' }] }, path: 'ip', reason: 'IPv4 mask bits must be < 32' },
  { name: 'cidr non-numeric mask', pattern: { ip: [{ cidr: '10.0.0.0/x' }] }, path: 'ip', reason: 'mask bits must be a non-negative integer' },
  { name: 'cidr not a string', pattern: { ip: [{ cidr: ['10.0.0.0/8'] }] }, path: 'ip', reason: '"cidr" takes a string' },

  // wildcard
  { name: 'wildcard with consecutive stars', pattern: { f: [{ wildcard: 'a**b' }] }, path: 'f', reason: 'consecutive wildcard characters at position 1' },
  { name: 'wildcard with an invalid escape', pattern: { f: [{ wildcard: 'a\\b' }] }, path: 'f', reason: 'invalid escape at position 1' },
  { name: 'wildcard with a trailing backslash', pattern: { f: [{ wildcard: 'ab\\' }] }, path: 'f', reason: 'invalid escape at position 2' },
  { name: 'wildcard not a string', pattern: { f: [{ wildcard: 1 }] }, path: 'f', reason: '"wildcard" takes a string' },

  // anything-but
  { name: 'anything-but null', pattern: { s: [{ 'anything-but': null }] }, path: 's', reason: '"anything-but" takes a string, a number' },
  { name: 'anything-but boolean', pattern: { s: [{ 'anything-but': true }] }, path: 's', reason: '"anything-but" takes a string, a number' },
  { name: 'anything-but mixed list', pattern: { s: [{ 'anything-but': ['a', 1] }] }, path: 's', reason: 'only strings or only numbers' },
  { name: 'anything-but list with null', pattern: { s: [{ 'anything-but': ['a', null] }] }, path: 's', reason: 'only strings or only numbers' },
  { name: 'anything-but empty list', pattern: { s: [{ 'anything-but': [] }] }, path: 's', reason: 'list must not be empty' },
  { name: 'anything-but nested numeric', pattern: { s: [{ 'anything-but': { numeric: ['>', 1] } }] }, path: 's', reason: 'got "numeric"' },
  { name: 'anything-but empty prefix', pattern: { s: [{ 'anything-but': { prefix: '' } }] }, path: 's', reason: 'empty prefix' },
  { name: 'anything-but prefix with number', pattern: { s: [{ 'anything-but': { prefix: 1 } }] }, path: 's', reason: 'takes a string or a non-empty list of strings' },
  { name: 'anything-but equals-ignore-case with number', pattern: { s: [{ 'anything-but': { 'equals-ignore-case': 5 } }] }, path: 's', reason: 'takes a string or a non-empty list of strings' },
  { name: 'anything-but bad wildcard', pattern: { s: [{ 'anything-but': { wildcard: '**' } }] }, path: 's', reason: 'consecutive wildcard characters' },

  // $or
  { name: '$or not an array', pattern: { $or: { a: ['x'] } }, path: '$or', reason: 'at least 2 pattern objects' },
  { name: '$or with one alternative', pattern: { $or: [{ a: ['x'] }] }, path: '$or', reason: 'at least 2 pattern objects' },
  { name: '$or alternative not an object', pattern: { detail: { $or: [{ a: ['x'] }, ['b']] } }, path: 'detail.$or[1]', reason: 'must be a pattern object' },
  { name: 'error inside an $or alternative names it', pattern: { $or: [{ a: ['x'] }, { b: [{ numeric: ['>'] }] }] }, path: '$or[1].b', reason: 'even number' },
  { name: 'reserved name as field inside $or', pattern: { $or: [{ prefix: ['x'] }, { b: ['y'] }] }, path: '$or[0].prefix', reason: 'reserved operator name' },
];

describe('validateEventPattern: invalid patterns', () => {
  it.each(invalidCases)('$name', ({ pattern, path, reason }) => {
    let caught: unknown;
    try {
      validateEventPattern(pattern);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidEventPatternError);
    expect(caught).toBeInstanceOf(Error);
    const error = caught as InvalidEventPatternError;
    expect(error.name).toBe('InvalidEventPatternError');
    expect(error.path).toBe(path);
    expect(error.message.startsWith(`${path}: `)).toBe(true);
    if (typeof reason === 'string') expect(error.message).toContain(reason);
    else expect(error.message).toMatch(reason);
  });

  it('uses the documented message format for numeric ranges', () => {
    expect(() => validateEventPattern({ detail: { status: [{ numeric: ['>', 0, '<'] }] } })).toThrow(
      /^detail\.status: numeric range needs an even number of operator\/value items/,
    );
  });

  it('refuses over 1000 $or combinations, as AWS documents ("Complex example with $or matching")', () => {
    const or = (name: string, n: number) => Array.from({ length: n }, (_, i) => ({ [name]: [i] }));
    expect(() => validateEventPattern({ a: { $or: or('x', 10) }, b: { $or: or('y', 10) }, c: { $or: or('z', 10) } })).not.toThrow();
    expect(() => validateEventPattern({ a: { $or: or('x', 7) }, b: { $or: or('y', 11) }, c: { $or: or('z', 13) } })).toThrow(/more than 1000/);
  });

  it('matchesEventPattern refuses an invalid pattern instead of answering false', () => {
    expect(() => matchesEventPattern({ source: 'aws.ec2' }, { source: 'aws.ec2' })).toThrow(InvalidEventPatternError);
  });
});

describe('wildcard complexity (EventBridge refuses rules above 10, aws/event-ruler MachineComplexityEvaluator)', () => {
  const refuse = (pattern: unknown): InvalidEventPatternError => {
    try {
      validateEventPattern(pattern);
    } catch (error) {
      if (error instanceof InvalidEventPatternError) return error;
      throw error;
    }
    throw new Error('accepted');
  };

  it("refuses AWS's documented too-complex example with AWS's message", () => {
    const error = refuse({ EventBusArn: [{ wildcard: '*:*:*:*:*:event-bus/*' }] });
    expect(error.path).toBe('EventBusArn');
    expect(error.reason).toBe(TOO_COMPLEX);
    expect(error.awsMessage).toBe(
      'Event pattern is not valid. Reason: Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character',
    );
  });

  it("accepts AWS's documented simpler alternatives", () => {
    expect(() => validateEventPattern({ EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] })).not.toThrow();
    expect(() => validateEventPattern({ FileName: [{ wildcard: '/Users/*/dir/dir/dir/dir/dir/doc.txt' }] })).not.toThrow();
    expect(() => validateEventPattern({ FileName: [{ wildcard: '/Users/*/doc.txt' }] })).not.toThrow();
  });

  it('measures the documented examples as Event Ruler does (its values include the JSON quotes)', () => {
    expect(complexityOfWildcards(['*:*:*:*:*:event-bus/*'])).toBe(11);
    expect(complexityOfWildcards(['/Users/*/dir/dir/dir/dir/dir/doc.txt'])).toBe(7);
    expect(complexityOfWildcards(['arn:aws:events:us-east-1:*:event-bus/*'])).toBe(3);
    expect(MAX_WILDCARD_COMPLEXITY).toBe(10);
  });

  it('adds up the wildcards of one field machine, leaf array and $or alike', () => {
    const one = 'a*a*a*a*'; // 7 with the quotes; other: 6; both: 12
    const other = 'a*b*a*b*';
    expect(complexityOfWildcards([one])).toBeLessThanOrEqual(10);
    expect(complexityOfWildcards([other])).toBeLessThanOrEqual(10);
    expect(complexityOfWildcards([one, other])).toBeGreaterThan(10);
    expect(refuse({ f: [{ wildcard: one }, { wildcard: other }] }).reason).toBe(TOO_COMPLEX);
    expect(refuse({ $or: [{ f: [{ wildcard: one }] }, { f: [{ wildcard: other }] }] }).reason).toBe(TOO_COMPLEX);
    expect(refuse({ f: [{ wildcard: one }, { 'anything-but': { wildcard: other } }] }).reason).toBe(TOO_COMPLEX);
  });

  it('keeps machines apart when the fields before them differ, and counts a repeated wildcard once', () => {
    const one = 'a*a*a*a*';
    const other = 'a*b*a*b*';
    expect(() => validateEventPattern({ $or: [{ a: ['1'], f: [{ wildcard: one }] }, { a: ['2'], f: [{ wildcard: other }] }] })).not.toThrow();
    expect(() => validateEventPattern({ $or: [{ a: ['1'], f: [{ wildcard: one }] }, { b: ['2'], f: [{ wildcard: one }] }] })).not.toThrow();
    expect(() => validateEventPattern({ f: [{ wildcard: one }, { wildcard: one }] })).not.toThrow();
    // Sharing a value of the field before is enough to share the machine (Event Ruler's name states).
    expect(refuse({ $or: [{ a: ['1'], f: [{ wildcard: one }] }, { a: ['1', '2'], f: [{ wildcard: other }] }] }).reason).toBe(TOO_COMPLEX);
  });

  it('counts no wildcard-free operator', () => {
    expect(() => validateEventPattern({ f: [{ prefix: 'a' }, { suffix: 'a' }, 'aaaa', { 'equals-ignore-case': 'A' }, { wildcard: 'a*a*a*a*' }] })).not.toThrow();
  });
});

describe('validateEventPattern: valid patterns', () => {
  const valid: Array<{ name: string; pattern: unknown }> = [
    { name: 'simple (AWS doc)', pattern: { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'], detail: { state: ['terminated'] } } },
    { name: 'null and empty string (AWS doc)', pattern: { detail: { eventVersion: [''], responseElements: [null] } } },
    { name: 'every operator', pattern: {
      a: [{ prefix: 'p' }, { prefix: { 'equals-ignore-case': 'P' } }, { suffix: 's' }, { suffix: { 'equals-ignore-case': 'S' } }],
      b: [{ 'equals-ignore-case': 'x' }, { wildcard: 'a*b\\*c\\\\' }, { cidr: '10.0.0.0/24' }, { cidr: '2001:db8::/32' }],
      c: [{ numeric: ['=', 1] }, { numeric: ['>=', -5e9, '<=', 5e9] }, { numeric: ['<', 0] }, { exists: true }, { exists: false }],
      d: [{ 'anything-but': 'x' }, { 'anything-but': 1 }, { 'anything-but': ['x', 'y'] }, { 'anything-but': [1, 2] }],
      e: [{ 'anything-but': { prefix: 'p' } }, { 'anything-but': { suffix: ['s', 't'] } }],
      f: [{ 'anything-but': { 'equals-ignore-case': ['X'] } }, { 'anything-but': { wildcard: '*/lib/*' } }],
    } },
    { name: 'nested $or (ruler README)', pattern: { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization'] }, { metricType: ['MetricType'], $or: [{ metricId: [1234] }, { spaceId: [1000] }] }] } },
    { name: 'operator names are ordinary field names outside $or', pattern: { detail: { prefix: ['x'], numeric: [1] } } },
    { name: 'wildcard with an escaped star next to a wildcard', pattern: { f: [{ wildcard: 'a\\**' }] } },
  ];

  it.each(valid)('$name', ({ pattern }) => {
    expect(() => validateEventPattern(pattern)).not.toThrow();
  });

  it('narrows unknown to EventPattern', () => {
    const parsed: unknown = JSON.parse('{"replay-name":[{"exists":false}]}');
    validateEventPattern(parsed);
    expect(matchesEventPattern(parsed, { source: 'yobidashi' })).toBe(true);
  });
});
