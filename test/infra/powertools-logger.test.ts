import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPowertoolsLogger, maskPhoneNumbers, powertoolsLogger } from '../../infra/aws/adapters/powertools-logger.ts';
import { lambdaEntry } from '../../infra/aws/functions/lambda-entry.ts';
import { maskPhone } from '../../domain/roster.ts';
import type { Logger } from '../../handlers/ports.ts';

/**
 * The Logger port on Lambda (Powertools) and the entry wrapper's part in it: what reaches
 * CloudWatch is one JSON object per line, read here from the process's own stdout and stderr,
 * where Powertools writes them.
 */
let lines: Record<string, unknown>[];
const saved = { ...process.env };

beforeEach(() => {
  lines = [];
  const capture = (chunk: string | Uint8Array) => {
    for (const line of String(chunk).split('\n')) if (line.startsWith('{')) lines.push(JSON.parse(line) as Record<string, unknown>);
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  // As Lambda sets it for an on-demand environment (Powertools reports cold starts only there).
  process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
  delete process.env.POWERTOOLS_LOG_LEVEL;
  delete process.env.LOG_LEVEL;
  delete process.env.AWS_LAMBDA_LOG_LEVEL;
});

afterEach(() => {
  vi.restoreAllMocks();
  process.env = { ...saved };
});

const context = (requestId: string): Context =>
  ({
    awsRequestId: requestId,
    functionName: 'yobidashi-place-call',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:ap-northeast-1:111111111111:function:yobidashi-place-call',
    memoryLimitInMB: '512',
  }) as Context;

describe('the Powertools logger as the Logger port', () => {
  it('writes level, message, timestamp and service yobidashi, with the fields given', () => {
    const log: Logger = powertoolsLogger(createPowertoolsLogger());
    log.info('call placed', { incidentId: 'inc-1', attempt: 2 });
    expect(lines).toEqual([expect.objectContaining({ level: 'INFO', message: 'call placed', service: 'yobidashi', incidentId: 'inc-1', attempt: 2 })]);
    expect(new Date(lines[0]!.timestamp as string).getTime()).not.toBeNaN();
  });

  it("keeps a child's fields on its lines, its children's too, and not on its parent's", () => {
    const log = powertoolsLogger(createPowertoolsLogger());
    const child = log.child({ handler: 'place-call', correlation_id: 'evt-1' });
    const grandchild = child.child({ incidentId: 'inc-1' });
    grandchild.warn('deferred', { reason: 'throttled' });
    child.error('failed');
    log.info('plain');
    expect(lines[0]).toMatchObject({ level: 'WARN', handler: 'place-call', correlation_id: 'evt-1', incidentId: 'inc-1', reason: 'throttled' });
    expect(lines[1]).toMatchObject({ level: 'ERROR', handler: 'place-call', correlation_id: 'evt-1' });
    expect(lines[1]).not.toHaveProperty('incidentId');
    expect(lines[2]).not.toHaveProperty('handler');
  });

  it('a field given as undefined is left out rather than blanking one', () => {
    const log = powertoolsLogger(createPowertoolsLogger()).child({ correlation_id: undefined, handler: 'x' });
    log.info('no id');
    expect(lines[0]).not.toHaveProperty('correlation_id');
    expect(lines[0]).toMatchObject({ handler: 'x' });
  });

  it('takes its level from POWERTOOLS_LOG_LEVEL, else LOG_LEVEL (either case), else INFO', () => {
    const emitAll = (log: Logger) => {
      log.debug('d');
      log.info('i');
      log.warn('w');
      log.error('e');
    };
    emitAll(powertoolsLogger(createPowertoolsLogger()));
    expect(lines.map((l) => l.level)).toEqual(['INFO', 'WARN', 'ERROR']);

    lines = [];
    process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
    emitAll(powertoolsLogger(createPowertoolsLogger()));
    expect(lines.map((l) => l.level)).toEqual(['DEBUG', 'INFO', 'WARN', 'ERROR']);

    lines = [];
    delete process.env.POWERTOOLS_LOG_LEVEL;
    process.env.LOG_LEVEL = 'error';
    emitAll(powertoolsLogger(createPowertoolsLogger()).child({ handler: 'x' }));
    expect(lines.map((l) => l.level)).toEqual(['ERROR']);
  });

  it('never writes a full phone number: in the message, in fields however deep, in an error', () => {
    const log = powertoolsLogger(createPowertoolsLogger());
    const error = new Error('DestinationNotAllowedException: +819012345678 is not allowed');
    log.error('could not call +819012345678', { to: '+819012345678', nested: { list: ['+14155550123 and +442079460958'] }, error });
    const text = JSON.stringify(lines);
    for (const phone of ['+819012345678', '+14155550123', '+442079460958']) expect(text).not.toContain(phone);
    const jp = maskPhone('+819012345678');
    expect(jp).toBe('+81******5678');
    expect(lines[0]).toMatchObject({ message: `could not call ${jp}`, to: jp, nested: { list: [`${maskPhone('+14155550123')} and ${maskPhone('+442079460958')}`] } });
    expect(lines[0]!.error).toMatchObject({ name: 'Error', message: `DestinationNotAllowedException: ${jp} is not allowed` });
    // Numbers that are not phone numbers stay: epoch milliseconds, counts, ids.
    expect(maskPhoneNumbers('', 'placedAt 1764000000000, attempt +3')).toBe('placedAt 1764000000000, attempt +3');
  });
});

describe('lambdaEntry', () => {
  it('adds the request id and cold start (first invocation only) to every line, and the event id as correlation id', async () => {
    const handler = lambdaEntry('place-call', ({ log }) => async (event: { id?: string }) => {
      log.info('handled', { id: event.id ?? null });
      return 'ok';
    }, {});
    expect(await handler({ id: 'evt-1' }, context('req-1'))).toBe('ok');
    await handler({ id: 'evt-2' }, context('req-2'));
    await handler({}, context('req-3'));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ cold_start: true, function_request_id: 'req-1', function_name: 'yobidashi-place-call', function_memory_size: '512', correlation_id: 'evt-1', function: 'place-call', service: 'yobidashi' });
    expect(lines[1]).toMatchObject({ cold_start: false, function_request_id: 'req-2', correlation_id: 'evt-2' });
    // The last invocation's correlation id does not carry over to one without an id.
    expect(lines[2]).toMatchObject({ cold_start: false, function_request_id: 'req-3' });
    expect(lines[2]).not.toHaveProperty('correlation_id');
  });

  it("takes a contact-flow invocation's contact id as its correlation id", async () => {
    const handler = lambdaEntry('flow-result', ({ log }) => async () => log.warn('flow result'), {});
    await handler({ Details: { ContactData: { ContactId: 'contact-9' } } }, context('req-1'));
    expect(lines[0]).toMatchObject({ correlation_id: 'contact-9', cold_start: true });
  });

  it('builds once, at init, with the environment given', async () => {
    const build = vi.fn(({ env }: { env: Readonly<Record<string, string | undefined>> }) => async () => env.TABLE_NAME);
    const handler = lambdaEntry('timeline', build, { TABLE_NAME: 'yobidashi' });
    expect(build).toHaveBeenCalledTimes(1);
    expect(await handler({}, context('a'))).toBe('yobidashi');
    await handler({}, context('b'));
    expect(build).toHaveBeenCalledTimes(1);
  });
});
