import { parseOwnDetail } from '../events/catalog.ts';
import { onEvent, type Deps } from './lib/deps.ts';

/** Silenced: store the silence so repeat alerts in its scope are suppressed until it ends. */
export function recordSilenceHandler(deps: Deps) {
  return onEvent('record-silence', deps, async (envelope, log) => {
    const silenced = parseOwnDetail('Silenced', envelope.detail);
    await deps.store.putSilence({
      silenceId: silenced.silenceId,
      scope: silenced.scope,
      from: Date.parse(silenced.from),
      until: Date.parse(silenced.until),
      createdBy: `keypad:${silenced.by}`,
      incidentId: silenced.incidentId,
    });
    log.info('silence recorded', { silenceId: silenced.silenceId, until: silenced.until });
  });
}
