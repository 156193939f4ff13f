import { describe, expect, it } from 'vitest';
import { ConnectError, ConnectService } from '../../infra/local/aws/connect/connect-service.ts';
import { ConnectSimulator } from '../../infra/local/aws/connect/connect-simulator.ts';
import { VirtualTime } from '../harness/virtual-time.ts';

/** Connect's default quotas, enforced by the local Connect (on the runtime's clock) so pacing is exercised. */
function service(realNow: () => number) {
  const time = new VirtualTime(0);
  const simulator = new ConnectSimulator(time, { publish: async () => undefined });
  for (let i = 0; i < 20; i++) simulator.setPhone(`+8190000000${String(i).padStart(2, '0')}`, { answer: true, stuck: true });
  return new ConnectService(simulator, { now: realNow });
}

const start = (s: ConnectService, i: number) =>
  s.startOutboundVoiceContact({ InstanceId: 'local', ContactFlowId: 'f', DestinationPhoneNumber: `+8190000000${String(i).padStart(2, '0')}`, ClientToken: `t${i}` });

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    return error instanceof ConnectError ? `${error.status} ${error.code}` : String(error);
  }
}

describe('local Connect limits', () => {
  it('allows a burst of 5 starts, then 2 a second (ThrottlingException)', async () => {
    let now = 0;
    const s = service(() => now);
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await code(start(s, i)));
    expect(results).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', '429 ThrottlingException']);
    now += 500; // one more token
    expect(await code(start(s, 6))).toBe('ok');
    expect(await code(start(s, 7))).toBe('429 ThrottlingException');
  });

  it('allows 10 concurrent calls (LimitExceededException), and frees a slot when one ends', async () => {
    let now = 0;
    const s = service(() => now);
    for (let i = 0; i < 10; i++) {
      now += 1_000;
      expect(await code(start(s, i))).toBe('ok');
    }
    now += 1_000;
    expect(await code(start(s, 10))).toBe('429 LimitExceededException');
    await s.stopContact({ InstanceId: 'local', ContactId: s.simulator.calls[0]!.contactId });
    expect(await code(start(s, 10))).toBe('ok');
  });

  it('rejects a malformed destination and a refused one as Connect does', async () => {
    const s = service(() => 0);
    expect(await code(s.startOutboundVoiceContact({ InstanceId: 'local', ContactFlowId: 'f', DestinationPhoneNumber: '090-1234' }))).toBe('400 InvalidParameterException');
    s.simulator.setPhone('+819099999999', { refused: true });
    expect(await code(s.startOutboundVoiceContact({ InstanceId: 'local', ContactFlowId: 'f', DestinationPhoneNumber: '+819099999999' }))).toBe('403 DestinationNotAllowedException');
  });
});
