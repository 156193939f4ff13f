import { ownEvent, parseOwnDetail, SCHEMA_VERSION } from '../events/catalog.ts';
import { onEvent } from './lib/deps.ts';
import type { DepsFor } from './needs.ts';

/**
 * Silenced: store the silence so repeat alerts in its scope are suppressed until it ends, and
 * announce it (SilenceAdded), so other open incidents it covers stop calling too.
 */
export function recordSilenceHandler(deps: DepsFor<'record-silence'>) {
  return onEvent('record-silence', deps, async (envelope, log) => {
    const silenced = parseOwnDetail('Silenced', envelope.detail);
    const by = `keypad:${silenced.by}`;
    await deps.store.putSilence({
      silenceId: silenced.silenceId,
      scope: silenced.scope,
      from: Date.parse(silenced.from),
      until: Date.parse(silenced.until),
      createdBy: by,
      incidentId: silenced.incidentId,
    });
    await deps.bus.publish([
      ownEvent('SilenceAdded', { schemaVersion: SCHEMA_VERSION, silenceId: silenced.silenceId, scope: silenced.scope, from: silenced.from, until: silenced.until, by, incidentId: silenced.incidentId }),
    ]);
    log.info('silence recorded', { silenceId: silenced.silenceId, until: silenced.until });
  });
}
