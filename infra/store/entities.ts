import { Entity, Service } from 'electrodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * yobidashi's single table, modelled with ElectroDB. The table keys are generic (pk/sk and one
 * overloaded GSI, gsi1pk/gsi1sk) and TTL lives in `expiresAt`; TABLE_KEYS is what the CDK stack and
 * the local runtime create the table from. Keys keep their case (`casing: 'none'`): ElectroDB would
 * otherwise lower-case them and fold `CPU` and `cpu` into one incident.
 */

export const SERVICE = 'yobidashi';

export const TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
  globalIndexes: [
    { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    // Sparse: only items that need attention carry these keys (open incidents, for the sweep).
    { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  ],
} as const;

function key<const F extends string>(field: F) {
  return <const C extends readonly string[]>(composite: C) => ({ field, composite, casing: 'none' as const });
}
const keys = { pk: key('pk'), sk: key('sk'), gsi1pk: key('gsi1pk'), gsi1sk: key('gsi1sk'), gsi2pk: key('gsi2pk'), gsi2sk: key('gsi2sk') };

export function createEntities(client: DynamoDBDocumentClient, table: string) {
  const config = { client, table };

  const incident = new Entity(
    {
      model: { entity: 'incident', version: '1', service: SERVICE },
      attributes: {
        incidentId: { type: 'string', required: true },
        dedupKey: { type: 'string', required: true },
        system: { type: 'string', required: true },
        host: { type: 'string', required: true },
        service: { type: 'string', required: true },
        status: { type: ['open', 'acknowledged', 'silenced', 'exhausted', 'resolved', 'suppressed'] as const, required: true },
        version: { type: 'number', required: true },
        // Padded: it is a sort key, and numbers sort as strings there.
        openedAt: { type: 'number', required: true, padding: { length: 15, char: '0' } },
        updatedAt: { type: 'number', required: true },
        closedAt: { type: 'number' },
        attempt: { type: 'number', required: true },
        ignoreHours: { type: 'boolean', required: true },
        roster: { type: 'any', required: true },
        call: { type: 'any' },
        alert: { type: 'any', required: true },
        acknowledgedBy: { type: 'string' },
        silenceId: { type: 'string' },
        silencedUntil: { type: 'number' },
        exhaustedReason: { type: ['rounds-used-up', 'no-roster'] as const },
        // The rosters it went on with after the first one's rounds ran out (onExhausted).
        handovers: { type: 'any' },
        // The latest re-page (domain/repage.ts).
        repage: { type: 'any' },
        lastCause: { type: 'string' },
        outbox: { type: 'any', required: true },
      },
      indexes: {
        primary: { collection: 'timeline', pk: keys.pk(['incidentId']), sk: keys.sk([]) },
        recent: { index: 'gsi1', pk: keys.gsi1pk([]), sk: keys.gsi1sk(['openedAt', 'incidentId']) },
        // Open incidents only (ElectroDB leaves the keys off when the condition is false), so the
        // sweep reads what is live, not the whole history.
        live: {
          index: 'gsi2',
          pk: keys.gsi2pk([]),
          sk: keys.gsi2sk(['incidentId']),
          condition: (attributes: Record<string, unknown>) => attributes.status === 'open',
        },
      },
    },
    config,
  );

  const head = new Entity(
    {
      model: { entity: 'incidentHead', version: '1', service: SERVICE },
      attributes: {
        dedupKey: { type: 'string', required: true },
        generation: { type: 'number', required: true },
        incidentId: { type: 'string', required: true },
      },
      indexes: { primary: { pk: keys.pk(['dedupKey']), sk: keys.sk([]) } },
    },
    config,
  );

  const alert = new Entity(
    {
      model: { entity: 'alert', version: '1', service: SERVICE },
      attributes: {
        incidentId: { type: 'string', required: true },
        alertId: { type: 'string', required: true },
        receivedAt: { type: 'number', required: true, padding: { length: 15, char: '0' } },
        source: { type: 'string', required: true },
        alert: { type: 'any', required: true },
        disposition: { type: ['opened', 'joined', 'resolved', 'suppressed', 'unmatched'] as const, required: true },
      },
      indexes: { primary: { collection: 'timeline', pk: keys.pk(['incidentId']), sk: keys.sk(['receivedAt', 'alertId']) } },
    },
    config,
  );

  const contact = new Entity(
    {
      model: { entity: 'contact', version: '1', service: SERVICE },
      attributes: {
        incidentId: { type: 'string', required: true },
        attempt: { type: 'number', required: true, padding: { length: 4, char: '0' } },
        contactId: { type: 'string', required: true },
        responderIndex: { type: 'number', required: true },
        responderName: { type: 'string', required: true },
        destination: { type: 'string', required: true },
        placedAt: { type: 'number', required: true },
        connectedAt: { type: 'number' },
        endedAt: { type: 'number' },
        digits: { type: 'string' },
        outcome: {
          type: ['acknowledged', 'skipped', 'silenced', 'no-answer', 'busy', 'answered-no-input', 'failed', 'timeout'] as const,
        },
        silenceHours: { type: 'number' },
        check_flag: { type: 'boolean', required: true },
        discon_reason: { type: 'string' },
        via: { type: ['contact-flow', 'contact-event', 'reconcile', 'timeout'] as const },
        // A call may cover several incidents (a merged call): each has its own record; these say which.
        callId: { type: 'string' },
        lineId: { type: 'string' },
        covers: { type: 'list', items: { type: 'string' } },
      },
      indexes: {
        primary: { collection: 'timeline', pk: keys.pk(['incidentId']), sk: keys.sk(['attempt']) },
        byContactId: { index: 'gsi1', pk: keys.gsi1pk(['contactId']), sk: keys.gsi1sk([]) },
      },
    },
    config,
  );

  const timelineEvent = new Entity(
    {
      model: { entity: 'event', version: '1', service: SERVICE },
      attributes: {
        incidentId: { type: 'string', required: true },
        eventId: { type: 'string', required: true },
        detailType: { type: 'string', required: true },
        time: { type: 'string', required: true },
        detail: { type: 'any', required: true },
        replayName: { type: 'string' },
      },
      indexes: { primary: { collection: 'timeline', pk: keys.pk(['incidentId']), sk: keys.sk(['time', 'eventId']) } },
    },
    config,
  );

  const roster = new Entity(
    {
      model: { entity: 'roster', version: '1', service: SERVICE },
      attributes: {
        system: { type: 'string', required: true },
        rounds: { type: 'number', required: true },
        alertTimezone: { type: 'string', required: true },
        responders: { type: 'any', required: true },
        // Optional in the item: rosters written before these existed read back with the defaults.
        minCallGapSeconds: { type: 'number' },
        groupBy: { type: 'list', items: { type: 'string' } },
        groupWindowMinutes: { type: 'number' },
        onExhausted: { type: 'map', properties: { roster: { type: 'string', required: true } } },
        repageAfterMinutes: { type: 'number' },
      },
      indexes: {
        primary: { pk: keys.pk(['system']), sk: keys.sk([]) },
        all: { index: 'gsi1', pk: keys.gsi1pk([]), sk: keys.gsi1sk(['system']) },
      },
    },
    config,
  );

  const silence = new Entity(
    {
      model: { entity: 'silence', version: '1', service: SERVICE },
      attributes: {
        system: { type: 'string', required: true },
        silenceId: { type: 'string', required: true },
        host: { type: 'string' },
        service: { type: 'string' },
        from: { type: 'number', required: true },
        until: { type: 'number', required: true },
        createdBy: { type: 'string', required: true },
        reason: { type: 'string' },
        incidentId: { type: 'string' },
        // A maintenance window (all three or none): windows open at the cron in the zone, each lasting
        // durationMinutes; `until` ends the recurrence (domain/silence.ts NO_END: never).
        cron: { type: 'string' },
        durationMinutes: { type: 'number' },
        timezone: { type: 'string' },
        /** DynamoDB TTL (epoch seconds): a month after the silence ends, kept meanwhile for audits. */
        expiresAt: { type: 'number', required: true },
      },
      indexes: {
        primary: { pk: keys.pk(['system']), sk: keys.sk(['silenceId']) },
        all: { index: 'gsi1', pk: keys.gsi1pk([]), sk: keys.gsi1sk(['silenceId']) },
      },
    },
    config,
  );

  const line = new Entity(
    {
      model: { entity: 'line', version: '1', service: SERVICE },
      attributes: {
        lineId: { type: 'string', required: true },
        version: { type: 'number', required: true },
        seq: { type: 'number', required: true },
        active: { type: 'any' },
        lastEndedAt: { type: 'number' },
        waiting: { type: 'any', required: true },
      },
      indexes: { primary: { pk: keys.pk(['lineId']), sk: keys.sk([]) } },
    },
    config,
  );

  const rejection = new Entity(
    {
      model: { entity: 'rejection', version: '1', service: SERVICE },
      attributes: {
        rejectionId: { type: 'string', required: true },
        at: { type: 'number', required: true, padding: { length: 15, char: '0' } },
        source: { type: 'string', required: true },
        sourceEventId: { type: 'string', required: true },
        reason: { type: 'string', required: true },
        issues: { type: 'list', items: { type: 'string' }, required: true },
        input: { type: 'string', required: true },
        expiresAt: { type: 'number', required: true },
      },
      indexes: { primary: { pk: keys.pk([]), sk: keys.sk(['at', 'rejectionId']) } },
    },
    config,
  );

  // One item per notified condition (domain/notification.ts): the gate that sends it once.
  const notification = new Entity(
    {
      model: { entity: 'notification', version: '1', service: SERVICE },
      attributes: {
        notificationId: { type: 'string', required: true },
        kind: { type: ['incident-exhausted', 'roster-exhausted', 'placement-failing', 'dead-letters'] as const, required: true },
        subject: { type: 'string', required: true },
        incidentId: { type: 'string' },
        system: { type: 'string' },
        state: { type: ['sending', 'sent'] as const, required: true },
        // When it was first claimed (never changes: it orders the listing); claimedAt moves when a stale claim is taken over.
        createdAt: { type: 'number', required: true, padding: { length: 15, char: '0' } },
        claimedAt: { type: 'number', required: true },
        sentAt: { type: 'number' },
        messageId: { type: 'string' },
        expiresAt: { type: 'number', required: true },
      },
      indexes: {
        primary: { pk: keys.pk(['notificationId']), sk: keys.sk([]) },
        recent: { index: 'gsi1', pk: keys.gsi1pk([]), sk: keys.gsi1sk(['createdAt', 'notificationId']) },
      },
    },
    config,
  );

  // One item per heartbeat monitor (domain/heartbeat.ts); version is its conditional-write token.
  const monitor = new Entity(
    {
      model: { entity: 'monitor', version: '1', service: SERVICE },
      attributes: {
        system: { type: 'string', required: true },
        name: { type: 'string', required: true },
        intervalSeconds: { type: 'number', required: true },
        graceSeconds: { type: 'number', required: true },
        state: { type: ['up', 'late', 'paused'] as const, required: true },
        version: { type: 'number', required: true },
        firstSeenAt: { type: 'number', required: true },
        lastSeenAt: { type: 'number', required: true },
        lastEventId: { type: 'string', required: true },
        lastSource: { type: 'string', required: true },
        deadlineAt: { type: 'number' },
        missedAt: { type: 'number' },
        pausedAt: { type: 'number' },
        pausedBy: { type: 'string' },
        pending: { type: ['missed', 'recovered'] as const },
        updatedAt: { type: 'number', required: true },
      },
      indexes: {
        primary: { pk: keys.pk(['system', 'name']), sk: keys.sk([]) },
        all: { index: 'gsi1', pk: keys.gsi1pk([]), sk: keys.gsi1sk(['system', 'name']) },
      },
    },
    config,
  );

  const service = new Service({ incident, alert, contact, timelineEvent }, config);
  return { incident, head, alert, contact, timelineEvent, roster, silence, line, rejection, notification, monitor, service };
}

export type Entities = ReturnType<typeof createEntities>;
