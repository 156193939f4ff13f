import { describe, expect, it } from 'vitest';
import { compileEventPattern, matchesEventPattern } from '../../events/pattern/index.ts';
import type { EventPattern } from '../../events/pattern/index.ts';

/**
 * Table-driven matching tests, grouped by operator. Cases marked "(AWS doc)" / "(ruler README)" are
 * the examples from the EventBridge user guide and the aws/event-ruler README.
 */

interface Case {
  name: string;
  pattern: EventPattern;
  event: Record<string, unknown>;
  expected: boolean;
}

/** The sample event of the EventBridge docs / aws/event-ruler README. */
const BASE = {
  version: '0',
  id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '012345679012',
  time: '2017-10-02T16:24:49Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
  detail: {
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    'source-ip': '10.0.0.33',
    'instance-id': 'i-000000aaaaaa00000',
    state: 'running',
  },
} as const;

/** The base event with `detail` replaced. */
function withDetail(detail: Record<string, unknown>): Record<string, unknown> {
  return { ...BASE, detail };
}

/** The base event with top-level fields added or replaced. */
function withTop(fields: Record<string, unknown>): Record<string, unknown> {
  return { ...BASE, ...fields };
}

/** Single-field detail pattern and event: `{ detail: { [field]: leaf } }` vs `detail: { [field]: value } `. */
function field(name: string, pattern: readonly unknown[], value: unknown, expected: boolean): Case {
  const event = value === MISSING ? withDetail({}) : withDetail({ [name]: value });
  return {
    name: `${name}: ${JSON.stringify(pattern)} vs ${value === MISSING ? '(missing)' : JSON.stringify(value)}`,
    pattern: { detail: { [name]: pattern } },
    event,
    expected,
  };
}
const MISSING = Symbol('missing');

const groups: Record<string, Case[]> = {
  'exact values, AND and OR': [
    { name: 'source equals (AWS doc)', pattern: { source: ['aws.ec2'] }, event: BASE, expected: true },
    { name: 'source differs', pattern: { source: ['aws.s3'] }, event: BASE, expected: false },
    { name: 'any value of the array may match (AWS doc)', pattern: { source: ['aws.ec2', 'aws.fargate'] }, event: BASE, expected: true },
    {
      name: 'all fields must match (AWS doc)',
      pattern: { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'], detail: { state: ['terminated', 'running'] } },
      event: BASE,
      expected: true,
    },
    {
      name: 'one failing field fails the whole pattern',
      pattern: { source: ['aws.ec2'], detail: { state: ['terminated'] } },
      event: BASE,
      expected: false,
    },
    { name: 'field missing from the event', pattern: { detail: { nope: ['x'] } }, event: BASE, expected: false },
    { name: 'exact match is case-sensitive', pattern: { detail: { state: ['Running'] } }, event: BASE, expected: false },
    { name: 'no trimming or normalisation', pattern: { detail: { state: ['running '] } }, event: BASE, expected: false },
    field('count', [5], 5, true),
    field('count', [5], '5', false),
    field('count', ['5'], 5, false),
    field('x-limit', [3.018e2], 301.8, true),
    field('flag', [true], true, true),
    field('flag', [true], 'true', false),
    field('flag', [false], true, false),
    field('responseElements', [null], null, true),
    field('responseElements', [null], MISSING, false),
    field('eventVersion', [''], '', true),
    field('eventVersion', [''], null, false),
    field('responseElements', [null], '', false),
    field('mixed', ['a', 1, null], 1, true),
    field('mixed', ['a', 1, null], 2, false),
  ],

  'arrays in events': [
    {
      name: 'resources: pattern array intersects event array (AWS doc)',
      pattern: {
        resources: [
          'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
          'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
          'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
        ],
      },
      event: withTop({
        resources: [
          'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
          'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        ],
      }),
      expected: true,
    },
    {
      name: 'resources: empty intersection',
      pattern: { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-other'] },
      event: BASE,
      expected: false,
    },
    field('tags', ['b'], ['a', 'b', 'c'], true),
    field('tags', ['x'], [], false),
    field('tags', ['x'], [['a'], ['x']], true),
    field('tags', ['a'], { a: 'a' }, false),
    {
      name: 'array of objects is crushed into its parent (ruler README)',
      pattern: { detail: { employees: { firstName: ['Anna'] } } },
      event: withDetail({
        employees: [
          { firstName: 'John', lastName: 'Doe' },
          { firstName: 'Anna', lastName: 'Smith' },
          { firstName: 'Peter', lastName: 'Jones' },
        ],
      }),
      expected: true,
    },
    {
      name: 'array consistency: fields from different elements do not combine (ruler README)',
      pattern: { detail: { employees: { firstName: ['Anna'], lastName: ['Jones'] } } },
      event: withDetail({
        employees: [
          { firstName: 'John', lastName: 'Doe' },
          { firstName: 'Anna', lastName: 'Smith' },
          { firstName: 'Peter', lastName: 'Jones' },
        ],
      }),
      expected: false,
    },
    {
      name: 'array consistency: fields from the same element combine',
      pattern: { detail: { employees: { firstName: ['Anna'], lastName: ['Smith'] } } },
      event: withDetail({
        employees: [
          { firstName: 'John', lastName: 'Doe' },
          { firstName: 'Anna', lastName: 'Smith' },
        ],
      }),
      expected: true,
    },
    {
      name: 'multi-level arrays of objects (ruler README)',
      pattern: { detail: { employees: { firstName: ['Peter'], lastName: ['Jones'] } } },
      event: withDetail({
        employees: [
          [{ firstName: 'John', lastName: 'Doe' }, { firstName: 'Anna', lastName: 'Smith' }],
          [{ firstName: 'Peter', lastName: 'Jones' }],
        ],
      }),
      expected: true,
    },
    {
      name: 'primitive array inside an array element stays with its element',
      pattern: { detail: { items: { id: ['b'], tags: ['red'] } } },
      event: withDetail({ items: [{ id: 'a', tags: ['red'] }, { id: 'b', tags: ['blue', 'green'] }] }),
      expected: false,
    },
  ],

  prefix: [
    { name: 'time starts with 2017-10-02 (AWS doc)', pattern: { time: [{ prefix: '2017-10-02' }] }, event: BASE, expected: true },
    { name: 'time does not start with 2018', pattern: { time: [{ prefix: '2018' }] }, event: BASE, expected: false },
    field('Region', [{ prefix: 'us-' }], 'us-east-1', true),
    field('Region', [{ prefix: 'us-' }], 'eu-west-1', false),
    field('Region', [{ prefix: 'US-' }], 'us-east-1', false),
    field('code', [{ prefix: '1' }], 123, false),
    field('service', [{ prefix: { 'equals-ignore-case': 'EventB' } }], 'eventbridge', true),
    field('service', [{ prefix: { 'equals-ignore-case': 'EventB' } }], 'EVENTBUS', true),
    field('service', [{ prefix: { 'equals-ignore-case': 'EventB' } }], 'SQS', false),
    field('Region', [{ prefix: 'ap-' }, { prefix: 'us-' }], ['eu-west-1', 'us-west-2'], true),
  ],

  suffix: [
    field('FileName', [{ suffix: '.png' }], 'photo.png', true),
    field('FileName', [{ suffix: '.png' }], 'photo.jpg', false),
    field('FileName', [{ suffix: '.png' }], 'photo.PNG', false),
    field('FileName', [{ suffix: { 'equals-ignore-case': '.png' } }], 'photo.PNG', true),
    field('FileName', [{ suffix: { 'equals-ignore-case': '.png' } }], 'photo.gif', false),
    field('service', [{ suffix: { 'equals-ignore-case': 'tbridge' } }], 'EVENTBRIDGE', true),
    field('size', [{ suffix: '0' }], 100, false),
  ],

  'equals-ignore-case': [
    field('Name', [{ 'equals-ignore-case': 'alice' }], 'Alice', true),
    field('Name', [{ 'equals-ignore-case': 'alice' }], 'ALICE', true),
    field('Name', [{ 'equals-ignore-case': 'alice' }], 'Alicia', false),
    field('Name', [{ 'equals-ignore-case': 'true' }], true, false),
    // The pattern is case-mapped character by character with full Unicode mappings (ruler ByteMachineTest).
    field('Name', [{ 'equals-ignore-case': '\u03B0' }], '\u03A5\u0308\u0301', true),
    field('Name', [{ 'equals-ignore-case': 'ß' }], 'SS', true),
    field('Name', [{ 'equals-ignore-case': '12Ⱥ34' }], '12ⱥ34', true),
    field('Name', [{ prefix: { 'equals-ignore-case': '\u03B0k' } }], '\u03A5\u0308\u0301Kx', true),
    field('Name', [{ suffix: { 'equals-ignore-case': 'x\u03B0' } }], 'aX\u03A5\u0308\u0301', true),
    field('Name', [{ 'anything-but': { 'equals-ignore-case': '\u03B0' } }], '\u03A5\u0308\u0301', false),
    // The value is not folded: the Kelvin sign is not a spelling of k.
    field('Name', [{ 'equals-ignore-case': 'k' }], '\u212A', false),
  ],

  'anything-but': [
    field('state', [{ 'anything-but': 'initializing' }], 'running', true),
    field('state', [{ 'anything-but': 'initializing' }], 'initializing', false),
    field('x-limit', [{ 'anything-but': 123 }], 301.8, true),
    field('x-limit', [{ 'anything-but': 123 }], 123, false),
    field('state', [{ 'anything-but': ['stopped', 'overloaded'] }], 'stopped', false),
    field('state', [{ 'anything-but': ['stopped', 'overloaded'] }], 'running', true),
    field('x-limit', [{ 'anything-but': [100, 200, 300] }], 200, false),
    field('x-limit', [{ 'anything-but': [100, 200, 300] }], 301.8, true),
    field('state', [{ 'anything-but': 'initializing' }], MISSING, false),
    field('state', [{ 'anything-but': 'initializing' }], 5, true),
    field('x-limit', [{ 'anything-but': 123 }], '123', true),
    field('state', [{ 'anything-but': 'initializing' }], null, true),
    field('state', [{ 'anything-but': 'initializing' }], ['initializing', 'running'], true),
    field('state', [{ 'anything-but': 'initializing' }], ['initializing'], false),
    field('state', [{ 'anything-but': 'initializing' }], [], false),
    field('state', [{ 'anything-but': { prefix: 'init' } }], 'initializing', false),
    field('state', [{ 'anything-but': { prefix: 'init' } }], 'running', true),
    field('state', [{ 'anything-but': { prefix: ['init', 'stop'] } }], 'stopping', false),
    field('FileName', [{ 'anything-but': { suffix: '.png' } }], 'a.png', false),
    field('FileName', [{ 'anything-but': { suffix: '.png' } }], 'a.jpg', true),
    field('state', [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }], 'INITIALIZING', false),
    field('state', [{ 'anything-but': { 'equals-ignore-case': ['stopped', 'overloaded'] } }], 'Overloaded', false),
    field('state', [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }], 'running', true),
    field('FilePath', [{ 'anything-but': { wildcard: '*/lib/*' } }], '/usr/lib/libc.so', false),
    field('FilePath', [{ 'anything-but': { wildcard: '*/lib/*' } }], '/usr/bin/env', true),
    field('FilePath', [{ 'anything-but': { wildcard: ['*/lib/*', '*.tmp'] } }], '/x/y.tmp', false),
  ],

  numeric: [
    field('c-count', [{ numeric: ['>', 0, '<=', 5] }], 5, true),
    field('c-count', [{ numeric: ['>', 0, '<=', 5] }], 0, false),
    field('c-count', [{ numeric: ['>', 0, '<=', 5] }], 5.000001, false),
    field('c-count', [{ numeric: ['>', 0, '<=', 5] }], 0.5, true),
    field('d-count', [{ numeric: ['<', 10] }], 3, true),
    field('d-count', [{ numeric: ['<', 10] }], 10, false),
    field('d-count', [{ numeric: ['<=', 10] }], 10, true),
    field('d-count', [{ numeric: ['>=', 10] }], 9.99, false),
    field('d-count', [{ numeric: ['>=', -10, '<', 0] }], -10, true),
    field('x-limit', [{ numeric: ['=', 3.018e2] }], 301.8, true),
    field('x-limit', [{ numeric: ['=', 3.018e2] }], 301.9, false),
    field('c-count', [{ numeric: ['>', 0] }], '5', false),
    field('c-count', [{ numeric: ['>', 0] }], null, false),
    field('c-count', [{ numeric: ['>', 0] }], MISSING, false),
    field('c-count', [{ numeric: ['>', 10] }], [1, 20], true),
    field('c-count', [{ numeric: ['>', 10] }], [1, 2], false),
    field('c-count', [{ numeric: ['>', 0] }], 6e9, false),
    field('c-count', [{ numeric: ['<', 0] }, { numeric: ['>', 100] }], 150, true),
    {
      name: 'all numeric fields of the doc example',
      pattern: { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }], 'd-count': [{ numeric: ['<', 10] }], 'x-limit': [{ numeric: ['=', 3.018e2] }] } },
      event: BASE,
      expected: true,
    },
  ],

  exists: [
    field('c-count', [{ exists: true }], 5, true),
    field('c-count', [{ exists: true }], MISSING, false),
    field('c-count', [{ exists: false }], MISSING, true),
    field('c-count', [{ exists: false }], 5, false),
    field('c-count', [{ exists: false }], { c1: 100 }, true),
    field('c-count', [{ exists: true }], { c1: 100 }, false),
    field('c-count', [{ exists: true }], null, true),
    field('c-count', [{ exists: false }], null, false),
    field('c-count', [{ exists: true }], '', true),
    field('c-count', [{ exists: true }], [], false),
    field('c-count', [{ exists: false }], [], true),
    field('c-count', [{ exists: false }, 7], 7, true),
    field('c-count', [{ exists: false }, 7], 8, false),
    {
      name: 'exists:false matches the doc example event without detail.c-count (AWS doc)',
      pattern: { detail: { 'c-count': [{ exists: false }] } },
      event: {
        'detail-type': ['EC2 Instance State-change Notification'],
        resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341'],
        detail: { state: ['initializing', 'running'] },
      },
      expected: true,
    },
    { name: 'replay-name exists:false, live event', pattern: { source: ['aws.ec2'], 'replay-name': [{ exists: false }] }, event: BASE, expected: true },
    { name: 'replay-name exists:false, replayed event', pattern: { source: ['aws.ec2'], 'replay-name': [{ exists: false }] }, event: withTop({ 'replay-name': 'replay-1' }), expected: false },
    { name: 'replay-name exists:false, undefined in JS counts as absent', pattern: { 'replay-name': [{ exists: false }] }, event: withTop({ 'replay-name': undefined }), expected: true },
    { name: 'replay-name exists:true, replayed event', pattern: { 'replay-name': [{ exists: true }] }, event: withTop({ 'replay-name': 'replay-1' }), expected: true },
    { name: 'exists:false does not rescue another failing field', pattern: { source: ['aws.s3'], 'replay-name': [{ exists: false }] }, event: BASE, expected: false },
    { name: 'exists:false on a nested path whose parent is missing', pattern: { detail: { a: { b: [{ exists: false }] } } }, event: BASE, expected: true },
    { name: 'exists:true on a nested path whose parent is a string', pattern: { detail: { state: { b: [{ exists: true }] } } }, event: BASE, expected: false },
    {
      name: 'exists:false judged in the array element the other fields matched',
      pattern: { detail: { items: { id: ['a'], error: [{ exists: false }] } } },
      event: withDetail({ items: [{ id: 'a' }, { id: 'b', error: 'boom' }] }),
      expected: true,
    },
    {
      name: 'exists:false fails in the matched element when it has the field',
      pattern: { detail: { items: { id: ['b'], error: [{ exists: false }] } } },
      event: withDetail({ items: [{ id: 'a' }, { id: 'b', error: 'boom' }] }),
      expected: false,
    },
    {
      name: 'exists:false alone needs the field absent from every array element',
      pattern: { detail: { items: { error: [{ exists: false }] } } },
      event: withDetail({ items: [{ id: 'a' }, { id: 'b', error: 'boom' }] }),
      expected: false,
    },
  ],

  wildcard: [
    field('source', [{ wildcard: 'Simple*Service' }], 'SimpleQueueService', true),
    field('source', [{ wildcard: 'Simple*Service' }], 'SimpleService', true),
    field('source', [{ wildcard: 'Simple*Service' }], 'SimpleQueue', false),
    field('source', [{ wildcard: 'Simple*Service' }], 'simpleQueueService', false),
    field('path', [{ wildcard: '*' }], '', true),
    field('path', [{ wildcard: '*' }], 7, false),
    field('path', [{ wildcard: 'dir/*.png' }], 'dir/sub/a.png', true),
    field('path', [{ wildcard: 'dir/*.png' }], 'other/a.png', false),
    field('path', [{ wildcard: 'a*b*c' }], 'a-b-c', true),
    field('path', [{ wildcard: 'a*b*c' }], 'acb', false),
    field('path', [{ wildcard: 'ab*ba' }], 'aba', false),
    field('path', [{ wildcard: 'ab*ba' }], 'abba', true),
    // JSON "a\\*b" is the wildcard a\*b: a literal star.
    field('path', [{ wildcard: 'a\\*b' }], 'a*b', true),
    field('path', [{ wildcard: 'a\\*b' }], 'axb', false),
    // JSON "a\\\\*" is the wildcard a\\*: a literal backslash, then a wildcard.
    field('path', [{ wildcard: 'a\\\\*' }], 'a\\anything', true),
    field('path', [{ wildcard: 'a\\\\*' }], 'ab', false),
    field('path', [{ wildcard: 'line*end' }], 'line\nin the middle\nend', true),
    field('path', [{ wildcard: '*.log' }], ['a.txt', 'b.log'], true),
    field('path', [{ wildcard: 'aaa*aaa' }], 'aaaaa', false),
  ],

  cidr: [
    field('sourceIPAddress', [{ cidr: '10.0.0.0/24' }], '10.0.0.33', true),
    field('sourceIPAddress', [{ cidr: '10.0.0.0/24' }], '10.0.0.255', true),
    field('sourceIPAddress', [{ cidr: '10.0.0.0/24' }], '10.0.1.1', false),
    field('sourceIPAddress', [{ cidr: '10.0.0.0/8' }], '10.255.255.255', true),
    field('sourceIPAddress', [{ cidr: '10.0.0.0/8' }], '11.0.0.0', false),
    field('sourceIPAddress', [{ cidr: '10.0.0.7/24' }], '10.0.0.1', true),
    field('sourceIPAddress', [{ cidr: '0.0.0.0/0' }], '203.0.113.9', true),
    field('sourceIPAddress', [{ cidr: '2001:db8::/32' }], '2001:db8:1::1', true),
    field('sourceIPAddress', [{ cidr: '2001:db8::/32' }], '2001:DB8:ffff:ffff:ffff:ffff:ffff:ffff', true),
    field('sourceIPAddress', [{ cidr: '2001:db8::/32' }], '2001:db9::1', false),
    // Event Ruler's IP literals: no dotted IPv6 tails; an IPv4-mapped IPv6 address is that IPv4 address.
    field('sourceIPAddress', [{ cidr: '10.0.0.0/8' }], '::ffff:10.0.0.1', false),
    field('sourceIPAddress', [{ cidr: '10.0.0.0/8' }], '::ffff:a00:1', true),
    field('sourceIPAddress', ['10.0.0.1'], '::FFFF:0A00:0001', true),
    field('sourceIPAddress', ['::ffff:10.0.0.1'], '::ffff:10.0.0.1', true),
    field('sourceIPAddress', [{ cidr: '10.0.0.0/8' }], 'example.com', false),
    field('sourceIPAddress', [{ cidr: '10.0.0.0/8' }], '10.0.0', false),
    field('sourceIPAddress', [{ cidr: '10.0.0.0/8' }], 167772161, false),
    field('sourceIPAddress', ['2001:db8::1'], '2001:DB8:0:0:0:0:0:1', true),
    field('sourceIPAddress', ['10.0.0.1'], '10.0.0.2', false),
  ],

  '$or': [
    {
      name: 'source AND (metricName OR namespace): metricName matches (ruler README)',
      pattern: { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }] },
      event: { source: 'aws.cloudwatch', metricName: 'ReadLatency' },
      expected: true,
    },
    {
      name: 'source AND (metricName OR namespace): namespace matches',
      pattern: { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }] },
      event: { source: 'aws.cloudwatch', namespace: 'AWS/ES' },
      expected: true,
    },
    {
      name: 'source AND (metricName OR namespace): neither matches',
      pattern: { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }] },
      event: { source: 'aws.cloudwatch', metricName: 'Other', namespace: 'AWS/S3' },
      expected: false,
    },
    {
      name: 'source AND (metricName OR namespace): source fails',
      pattern: { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }] },
      event: { source: 'aws.ec2', metricName: 'CPUUtilization' },
      expected: false,
    },
    {
      name: 'parallel $or at two levels (ruler README)',
      pattern: {
        $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }],
        detail: { $or: [{ source: ['aws.cloudwatch'] }, { 'detail-type': ['CloudWatch Alarm State Change'] }] },
      },
      event: { namespace: 'AWS/EC2', detail: { 'detail-type': 'CloudWatch Alarm State Change' } },
      expected: true,
    },
    {
      name: 'parallel $or: the nested one fails',
      pattern: {
        $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }],
        detail: { $or: [{ source: ['aws.cloudwatch'] }, { 'detail-type': ['CloudWatch Alarm State Change'] }] },
      },
      event: { namespace: 'AWS/EC2', detail: { source: 'aws.ec2' } },
      expected: false,
    },
    {
      name: '$or alternative with an AND inside: all of it needed',
      pattern: { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization'] }, { metricType: ['MetricType'], namespace: ['AWS/EC2'] }, { scope: ['Service'] }] },
      event: { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/S3' },
      expected: false,
    },
    {
      name: 'nested $or inside an $or alternative (ruler README)',
      pattern: {
        source: ['aws.cloudwatch'],
        $or: [
          { metricName: ['CPUUtilization'] },
          { metricType: ['MetricType'], namespace: ['AWS/EC2'], $or: [{ metricId: [1234] }, { spaceId: [1000] }] },
        ],
      },
      event: { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 1000 },
      expected: true,
    },
    {
      name: 'an $or alternative may test absence',
      pattern: { source: ['aws.ec2'], $or: [{ 'replay-name': [{ exists: false }] }, { detail: { state: ['running'] } }] },
      event: withTop({ 'replay-name': 'r', detail: { state: 'stopped' } }),
      expected: false,
    },
  ],

  'structure and complex patterns': [
    {
      name: 'complex example (AWS doc)',
      pattern: {
        time: [{ prefix: '2017-10-02' }],
        detail: {
          state: [{ 'anything-but': 'initializing' }],
          'c-count': [{ numeric: ['>', 0, '<=', 5] }],
          'd-count': [{ numeric: ['<', 10] }],
          'x-limit': [{ 'anything-but': [100, 200, 300] }],
          'source-ip': [{ cidr: '10.0.0.0/8' }],
        },
      },
      event: BASE,
      expected: true,
    },
    {
      name: 'complex example with one condition failing',
      pattern: {
        time: [{ prefix: '2017-10-02' }],
        detail: { state: [{ 'anything-but': 'running' }], 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
      },
      event: BASE,
      expected: false,
    },
    { name: 'pattern object vs event leaf', pattern: { detail: { state: { name: ['running'] } } }, event: BASE, expected: false },
    { name: 'Date values match as their JSON string', pattern: { time: [{ prefix: '2024-01-02T' }] }, event: { time: new Date('2024-01-02T03:04:05Z') }, expected: true },
  ],

  'dotted field names (EventBridge joins names with ".")': [
    { name: 'dotted pattern key matches the nested event field (ruler README)', pattern: { detail: { 'state.status': ['running'] } }, event: withDetail({ state: { status: 'running' } }), expected: true },
    { name: 'nested pattern matches the dotted event key (ruler README)', pattern: { detail: { state: { status: ['running'] } } }, event: withDetail({ 'state.status': 'running' }), expected: true },
    { name: 'dotted pattern key matches the dotted event key', pattern: { 'a.b': [1] }, event: { 'a.b': 1 }, expected: true },
    { name: 'dotted top-level key reaches into detail', pattern: { 'detail.state': ['running'] }, event: BASE, expected: true },
    { name: 'dotted key still compares the value', pattern: { 'detail.state': ['stopped'] }, event: BASE, expected: false },
    { name: 'partly dotted, partly nested', pattern: { detail: { 'a.b': { c: ['x'] } } }, event: withDetail({ a: { 'b.c': 'x' } }), expected: true },
    { name: 'a dotted object key is a path, not a leaf', pattern: { detail: { 'state.status': { status: ['running'] } } }, event: withDetail({ state: { status: 'running' } }), expected: false },
    { name: 'dotted keys deeper in arrays of objects', pattern: { detail: { 'items.id': ['b'] } }, event: withDetail({ items: [{ id: 'a' }, { id: 'b' }] }), expected: true },
    {
      name: 'dotted keys inside array elements keep array consistency',
      pattern: { detail: { items: { 'meta.id': ['a'], 'meta.ok': [true] } } },
      event: withDetail({ items: [{ 'meta.id': 'a', meta: { ok: false } }, { meta: { id: 'b', ok: true } }] }),
      expected: false,
    },
    {
      name: 'dotted and nested spellings of one array element combine',
      pattern: { detail: { items: { 'meta.id': ['a'], 'meta.ok': [true] } } },
      event: withDetail({ items: [{ 'meta.id': 'a', meta: { ok: true } }] }),
      expected: true,
    },
    { name: 'both spellings in one event are two values of one field', pattern: { 'a.b': [2] }, event: { a: { b: 1 }, 'a.b': 2 }, expected: true },
    { name: 'exists:false sees the dotted spelling too', pattern: { a: { b: [{ exists: false }] } }, event: { 'a.b': 1 }, expected: false },
    { name: 'the later of two spellings of one field wins (AWS doc: last reference used)', pattern: { a: { b: ['x'] }, 'a.b': ['y'] }, event: { a: { b: 'y' } }, expected: true },
    { name: 'the earlier of two spellings is overridden', pattern: { a: { b: ['x'] }, 'a.b': ['y'] }, event: { a: { b: 'x' } }, expected: false },
    {
      name: 'a field given before $or is overridden inside the alternative that names it (ruler rule overriding)',
      pattern: { a: ['x'], $or: [{ a: ['y'] }, { b: ['z'] }] },
      event: { a: 'y' },
      expected: true,
    },
    {
      name: 'the other alternative keeps the field given before $or',
      pattern: { a: ['x'], $or: [{ a: ['y'] }, { b: ['z'] }] },
      event: { a: 'x', b: 'z' },
      expected: true,
    },
    {
      name: 'the overridden value no longer matches in the alternative that overrode it',
      pattern: { a: ['x'], $or: [{ a: ['y'] }, { b: ['z'] }] },
      event: { a: 'x' },
      expected: false,
    },
  ],
};

for (const [group, cases] of Object.entries(groups)) {
  describe(`matchesEventPattern: ${group}`, () => {
    it.each(cases)('$name', ({ pattern, event, expected }) => {
      expect(matchesEventPattern(pattern, event)).toBe(expected);
    });

    it('has both matching and non-matching cases', () => {
      expect(cases.some((c) => c.expected)).toBe(true);
      expect(cases.some((c) => !c.expected)).toBe(true);
    });
  });
}

describe('compileEventPattern', () => {
  it('validates once and matches many events', () => {
    const isLive = compileEventPattern({ source: ['yobidashi'], 'replay-name': [{ exists: false }] });
    expect(isLive({ ...BASE, source: 'yobidashi' })).toBe(true);
    expect(isLive({ ...BASE, source: 'yobidashi', 'replay-name': 'r1' })).toBe(false);
    expect(isLive({ ...BASE })).toBe(false);
  });

  it('does not mutate the pattern or the event', () => {
    const pattern = { detail: { items: { id: ['a'] } }, $or: [{ source: ['x'] }, { source: ['aws.ec2'] }] };
    const event = withDetail({ items: [{ id: 'a' }] });
    const before = JSON.stringify([pattern, event]);
    expect(matchesEventPattern(pattern, event)).toBe(true);
    expect(JSON.stringify([pattern, event])).toBe(before);
  });

  it('stays fast on wildcards that would backtrack as regular expressions', () => {
    const start = performance.now();
    const value = 'a'.repeat(20_000);
    // Three stars: as many as EventBridge's complexity limit allows on a run of one letter.
    expect(matchesEventPattern({ v: [{ wildcard: 'a*a*a*b' }] }, { v: value })).toBe(false);
    expect(performance.now() - start).toBeLessThan(200);
  });
});
