import { onEvent } from './lib/deps.ts';
import type { DepsFor } from './needs.ts';

/**
 * Every yobidashi event onto its incident's timeline. It writes only a projection keyed by event
 * id, so it is the one route that also takes replayed events: an auditor's replay rebuilds it.
 */
export function timelineHandler(deps: DepsFor<'timeline'>) {
  return onEvent('timeline', deps, async (envelope) => {
    const detail = envelope.detail as { incidentId?: unknown } | null;
    if (typeof detail?.incidentId !== 'string') return;
    const event = { incidentId: detail.incidentId, eventId: envelope.id, detailType: envelope['detail-type'], time: envelope.time, detail };
    await deps.store.recordEvent(envelope['replay-name'] ? { ...event, replayName: envelope['replay-name'] } : event);
  });
}
