import { describe, expect, it } from 'vitest';
import {
  abandonClaim,
  addWaiting,
  claimLine,
  CLAIM_STALE_MS,
  decideWait,
  emptyLine,
  lineState,
  MAX_COVERS,
  MAX_WAITING,
  recordLinePlaced,
  releaseLine,
  RING_MS,
  waitingInOrder,
  type Line,
} from '../../domain/line.ts';

const T = 1_000_000;
const GAP = 60_000;
const LIMIT = 240_000;

function busy(placedAt = T): Line {
  const claimed = claimLine(emptyLine('ln1'), [{ incidentId: 'a', attempt: 1 }], [], placedAt);
  return recordLinePlaced(claimed, 'ln1-1', 'contact-1', placedAt) as Line;
}

describe('the line', () => {
  it('is free, busy on a call, then rests for the gap after the call ends', () => {
    expect(lineState(emptyLine('ln1'), T, GAP, LIMIT)).toEqual({ kind: 'free' });
    const line = busy();
    expect(lineState(line, T + 10_000, GAP, LIMIT).kind).toBe('busy');
    const ended = releaseLine(line, { contactId: 'contact-1' }, T + 20_000) as Line;
    expect(lineState(ended, T + 30_000, GAP, LIMIT)).toEqual({ kind: 'resting', until: T + 80_000 });
    expect(lineState(ended, T + 80_000, GAP, LIMIT)).toEqual({ kind: 'free' });
    expect(lineState(ended, T + 30_000, 0, LIMIT)).toEqual({ kind: 'free' });
  });

  it('is not held by a call that should long have ended, nor by a claim that never became a call', () => {
    expect(lineState(busy(), T + LIMIT + RING_MS - 1, GAP, LIMIT).kind).toBe('busy');
    expect(lineState(busy(), T + LIMIT + RING_MS + 1, GAP, LIMIT).kind).toBe('free');
    const claimed = claimLine(emptyLine('ln1'), [{ incidentId: 'a', attempt: 1 }], [], T);
    expect(lineState(claimed, T + CLAIM_STALE_MS - 1, GAP, LIMIT).kind).toBe('busy');
    expect(lineState(claimed, T + CLAIM_STALE_MS + 1, GAP, LIMIT).kind).toBe('free');
  });

  it('releases only the call it is told about', () => {
    const line = busy();
    expect(releaseLine(line, { contactId: 'someone-else' }, T)).toBeUndefined();
    expect(releaseLine(line, { callId: 'ln1-9' }, T)).toBeUndefined();
    expect(releaseLine(line, { contactId: 'contact-1' }, T + 5)?.active).toBeUndefined();
    expect(releaseLine(emptyLine('ln1'), { contactId: 'contact-1' }, T)).toBeUndefined();
  });
});

describe('waiting on the line', () => {
  it('claims a free line, waits out a rest, and gives up after a ring time on one busy call', () => {
    expect(decideWait({ kind: 'free' }, T, T)).toEqual({ kind: 'claim' });
    expect(decideWait({ kind: 'resting', until: T + 50_000 }, T - 10 * RING_MS, T)).toEqual({ kind: 'wait', until: T + 50_000, reason: 'RESPONDER_RESTING' });
    const call = { callId: 'c', covers: [], claimedAt: T };
    expect(decideWait({ kind: 'busy', call }, T + 5_000, T + 10_000)).toEqual({ kind: 'wait', until: T + 5_000 + RING_MS, reason: 'RESPONDER_ON_CALL' });
    expect(decideWait({ kind: 'busy', call }, T + 5_000, T + 5_000 + RING_MS)).toEqual({ kind: 'give-up' });
    // Waiting through an earlier call and a rest does not count against this call.
    expect(decideWait({ kind: 'busy', call }, T - 5 * RING_MS, T + 30_000)).toEqual({ kind: 'wait', until: T + RING_MS, reason: 'RESPONDER_ON_CALL' });
  });

  it('keeps the first moment an incident started waiting, and a bounded list', () => {
    let line = addWaiting(emptyLine('ln1'), 'b', 1, T);
    line = addWaiting(line, 'b', 1, T + 9);
    expect(line.waiting.b).toEqual({ attempt: 1, since: T });
    expect(addWaiting(line, 'b', 2, T + 9).waiting.b).toEqual({ attempt: 2, since: T + 9 });
    let full = emptyLine('ln1');
    for (let i = 0; i < MAX_WAITING; i++) full = addWaiting(full, `i${i}`, 1, T + i);
    expect(addWaiting(full, 'one-more', 1, T)).toBe(full);
  });

  it('a claim takes the claimer and those waiting longest (at most MAX_COVERS), drops the stale ones, and hands them back if Connect refuses', () => {
    let line = emptyLine('ln1');
    for (let i = 0; i < MAX_COVERS + 5; i++) line = addWaiting(line, `w${i}`, 1, T + i);
    line = addWaiting(line, 'gone', 3, T - 1);
    const order = waitingInOrder(line, 'w0').map(([id]) => id);
    expect(order.slice(0, 3)).toEqual(['gone', 'w1', 'w2']);
    const covered = [{ incidentId: 'lead', attempt: 1 }, ...order.filter((id) => id !== 'gone').map((id) => ({ incidentId: id, attempt: 1 }))];
    const claimed = claimLine(line, covered, ['gone'], T + 100);
    expect(claimed.active).toMatchObject({ callId: 'ln1-1', claimedAt: T + 100 });
    expect(claimed.active?.covers).toHaveLength(MAX_COVERS);
    expect(Object.keys(claimed.waiting).sort()).toEqual(['w0', ...order.filter((id) => id !== 'gone').slice(MAX_COVERS - 1)].sort());
    const refused = abandonClaim(claimed, 'ln1-1', true) as Line;
    expect(refused.active).toBeUndefined();
    expect(refused.waiting.w1).toEqual({ attempt: 1, since: T + 100 }); // waiting again from the claim
    expect(refused.waiting.lead).toEqual({ attempt: 1, since: T + 100 });
    expect(Object.keys((abandonClaim(claimed, 'ln1-1', false) as Line).waiting)).not.toContain('lead');
    expect(abandonClaim(claimed, 'ln1-2', true)).toBeUndefined();
  });
});
