import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { GetCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openIncident, type Incident } from '../../domain/incident.ts';
import { rosterSchema, type Roster } from '../../domain/roster.ts';
import { NO_END, type Silence } from '../../domain/silence.ts';
import { parseAlertReceived, type NormalisedAlert } from '../../events/alerts.ts';
import type { AlertRecord, ContactRecord, RejectionRecord, TimelineEvent } from '../../handlers/ports.ts';
import { startDynalite } from '../../infra/local/aws/dynamodb/dynalite.ts';
import { createEntities } from '../../infra/store/entities.ts';
import { createDocumentClient, ElectroStore } from '../../infra/store/repository.ts';
import { ensureTable } from '../../infra/store/table.ts';

/** The ElectroDB store against a real embedded dynalite: one server per file, one table per test. */

const T0 = Date.UTC(2026, 10, 24, 1, 0, 0); // 2026-11-24 10:00 JST

let server: { endpoint: string; close: () => Promise<void> };
let config: DynamoDBClientConfig;
let raw: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let table: string;
let store: ElectroStore;

beforeAll(async () => {
  server = await startDynalite();
  config = {
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
  raw = new DynamoDBClient(config);
  doc = createDocumentClient(config);
});

afterAll(async () => {
  doc?.destroy();
  raw?.destroy();
  await server?.close();
});

beforeEach(async () => {
  table = `yobidashi-test-${randomUUID()}`;
  await ensureTable(raw, table);
  store = new ElectroStore(doc, table);
});

// ---------------------------------------------------------------------------------------------
// Fixtures

const ROSTER: Roster = rosterSchema.parse({
  system: 'XYZ',
  rounds: 3,
  responders: [
    { name: 'Aki', phone: '+819011110001', language: 'ja-JP', timezone: 'Asia/Tokyo' },
    { name: 'Ben', phone: '+819011110002', language: 'en-US', timezone: 'America/New_York', hours: 'Mon-Fri 09:00-18:00' },
  ],
});

function articleAlert(overrides: Record<string, unknown> = {}): NormalisedAlert {
  const parsed = parseAlertReceived({
    alertinfo: [
      { host: 'server1', service: 'CPU Utilization', lastcheck: '2026-11-24 10:00:00', systemname: 'XYZ', ...overrides },
    ],
  });
  const alert = parsed.alerts[0];
  if (!alert || parsed.rejected.length) throw new Error(`fixture alert rejected: ${JSON.stringify(parsed.rejected)}`);
  return alert;
}

function newIncident(incidentId: string, now = T0, overrides: Record<string, unknown> = {}): Incident {
  return openIncident({ incidentId, alert: articleAlert(overrides), alertId: `alert-${incidentId}`, now }, ROSTER).incident;
}

function contact(incidentId: string, attempt: number, contactId: string): ContactRecord {
  return {
    incidentId,
    attempt,
    contactId,
    responderIndex: (attempt - 1) % 2,
    responderName: attempt % 2 === 1 ? 'Aki' : 'Ben',
    destination: '+81*******0001',
    placedAt: T0 + attempt * 60_000,
    check_flag: false,
  };
}

function alertRecord(incidentId: string, alertId: string, receivedAt: number): AlertRecord {
  return { incidentId, alertId, receivedAt, source: 'nagios', alert: articleAlert(), disposition: 'opened' };
}

function timelineEvent(incidentId: string, eventId: string, time: string, detailType = 'IncidentOpened'): TimelineEvent {
  return { incidentId, eventId, detailType, time, detail: { schemaVersion: 1, incidentId } };
}

// ---------------------------------------------------------------------------------------------

describe('incidents', () => {
  it('createIncident is true the first time and false for the same id; the item round-trips', async () => {
    const incident = newIncident('inc-1');
    expect(incident.status).toBe('open');
    expect(incident.outbox).toHaveLength(2);

    await expect(store.createIncident(incident)).resolves.toBe(true);
    await expect(store.createIncident({ ...incident, host: 'other-host' })).resolves.toBe(false);

    const stored = await store.getIncident('inc-1');
    expect(stored).toEqual(incident);
    expect(stored?.host).toBe('server1');
    await expect(store.getIncident('inc-missing')).resolves.toBeUndefined();
  });

  it('saveIncident writes with the right expected version and refuses a stale one', async () => {
    const incident = newIncident('inc-1');
    expect(incident.version).toBe(1);
    await store.createIncident(incident);

    const v2: Incident = { ...incident, version: 2, status: 'acknowledged', acknowledgedBy: 'Aki', closedAt: T0 + 60_000, updatedAt: T0 + 60_000 };
    await expect(store.saveIncident(v2, 1)).resolves.toBe(true);
    await expect(store.getIncident('inc-1')).resolves.toEqual(v2);

    // A writer still holding version 1 loses and changes nothing.
    const stale: Incident = { ...incident, version: 2, status: 'exhausted', exhaustedReason: 'rounds-used-up', updatedAt: T0 + 90_000 };
    await expect(store.saveIncident(stale, 1)).resolves.toBe(false);
    await expect(store.getIncident('inc-1')).resolves.toEqual(v2);

    // The next writer with the current version goes through.
    const v3: Incident = { ...v2, version: 3, updatedAt: T0 + 120_000 };
    await expect(store.saveIncident(v3, 2)).resolves.toBe(true);
    expect((await store.getIncident('inc-1'))?.version).toBe(3);
  });

  it('saveIncident of an incident that was never created is a lost race, not a write', async () => {
    const incident = newIncident('inc-ghost');
    await expect(store.saveIncident({ ...incident, version: 2 }, 1)).resolves.toBe(false);
    await expect(store.getIncident('inc-ghost')).resolves.toBeUndefined();
  });

  it('listIncidents returns the newest first, up to the limit', async () => {
    await store.createIncident(newIncident('inc-b', T0 + 2 * 60_000));
    await store.createIncident(newIncident('inc-a', T0));
    await store.createIncident(newIncident('inc-d', T0 + 3 * 60_000));
    await store.createIncident(newIncident('inc-c', T0 + 60_000));
    // Other entities on the same index (rosters, silences) must not show up.
    await store.putRoster(ROSTER);

    const all = await store.listIncidents(10);
    expect(all.map((i) => i.incidentId)).toEqual(['inc-d', 'inc-b', 'inc-c', 'inc-a']);
    const two = await store.listIncidents(2);
    expect(two.map((i) => i.incidentId)).toEqual(['inc-d', 'inc-b']);
    expect(two[0]).toEqual(newIncident('inc-d', T0 + 3 * 60_000));
  });

  it('listIncidentsOpened reads [from, to) of the recent index, newest first, projected, up to the limit', async () => {
    for (const [id, at] of [['inc-a', T0 - 1], ['inc-b', T0], ['inc-c', T0 + 60_000], ['inc-d', T0 + 120_000 - 1], ['inc-e', T0 + 120_000]] as const) {
      await store.createIncident(newIncident(id, at));
    }
    await store.putRoster(ROSTER);
    await store.saveIncident({ ...newIncident('inc-c', T0 + 60_000), version: 2, status: 'acknowledged', closedAt: T0 + 90_000 }, 1);

    const window = await store.listIncidentsOpened(T0, T0 + 120_000, 10);
    expect(window.map((i) => i.incidentId)).toEqual(['inc-d', 'inc-c', 'inc-b']);
    expect(window[1]).toEqual({ incidentId: 'inc-c', system: 'XYZ', status: 'acknowledged', openedAt: T0 + 60_000, closedAt: T0 + 90_000, attempt: 1 });
    expect((await store.listIncidentsOpened(T0, T0 + 120_000, 2)).map((i) => i.incidentId)).toEqual(['inc-d', 'inc-c']);
    await expect(store.listIncidentsOpened(T0 + 1, T0 + 60_000, 10)).resolves.toEqual([]);
  });

  it('listIncidentsOpened pages through more than one response (1 MB pages of big incidents)', async () => {
    const big = 'x'.repeat(100_000);
    for (let i = 0; i < 14; i++) {
      const incident = newIncident(`inc-${String(i).padStart(2, '0')}`, T0 + i * 1000);
      await store.createIncident({ ...incident, alert: { ...incident.alert, message: big } });
    }
    const all = await store.listIncidentsOpened(T0, T0 + 60_000, 100);
    expect(all).toHaveLength(14);
    expect((await store.listIncidentsOpened(T0, T0 + 60_000, 12)).map((i) => i.incidentId).at(-1)).toBe('inc-02');
  });
});

describe('open incidents (the sparse gsi2)', () => {
  it('lists only open incidents, and an incident leaves the index when it closes', async () => {
    const open = newIncident('inc-open');
    const closing = newIncident('inc-closing');
    await store.createIncident(open);
    await store.createIncident(closing);
    await store.createIncident({ ...newIncident('inc-done'), status: 'exhausted', exhaustedReason: 'rounds-used-up' });
    await store.putRoster(ROSTER);
    expect((await store.listOpenIncidents()).map((i) => i.incidentId).sort()).toEqual(['inc-closing', 'inc-open']);

    await store.saveIncident({ ...closing, version: 2, status: 'acknowledged', acknowledgedBy: 'Aki' }, 1);
    expect((await store.listOpenIncidents()).map((i) => i.incidentId)).toEqual(['inc-open']);
    // Sparse for real: only the open item carries the index keys.
    const items = (await doc.send(new ScanCommand({ TableName: table }))).Items ?? [];
    expect(items.filter((item) => item.gsi2pk !== undefined).map((item) => item.incidentId)).toEqual(['inc-open']);
  });

  it('a table made before gsi2 existed gets it added in place by ensureTable', async () => {
    const old = `yobidashi-old-${randomUUID()}`;
    await raw.send(
      new CreateTableCommand({
        TableName: old,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: ['pk', 'sk', 'gsi1pk', 'gsi1sk'].map((name) => ({ AttributeName: name, AttributeType: 'S' as const })),
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          { IndexName: 'gsi1', KeySchema: [{ AttributeName: 'gsi1pk', KeyType: 'HASH' }, { AttributeName: 'gsi1sk', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } },
        ],
      }),
    );
    const before = new ElectroStore(doc, old);
    await before.putRoster(ROSTER);
    await before.createIncident({ ...newIncident('inc-before-upgrade'), status: 'exhausted' });
    const backup = join(mkdtempSync(join(tmpdir(), 'yobidashi-store-')), 'backup.jsonl');
    await ensureTable(raw, old, backup);
    const { Table } = await raw.send(new DescribeTableCommand({ TableName: old }));
    expect(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual(['gsi1', 'gsi2']);
    const upgraded = new ElectroStore(doc, old);
    // Nothing was lost on the way (dynalite cannot add an index in place: the table was rebuilt from a backup).
    expect(await upgraded.getRoster('XYZ')).toEqual(ROSTER);
    expect((await upgraded.getIncident('inc-before-upgrade'))?.status).toBe('exhausted');
    expect(readFileSync(backup, 'utf8').trim().split('\n')).toHaveLength(2);
    await upgraded.createIncident(newIncident('inc-after-upgrade'));
    expect((await upgraded.listOpenIncidents()).map((i) => i.incidentId)).toEqual(['inc-after-upgrade']);
    await ensureTable(raw, old, backup); // up to date now: nothing more happens
    expect(readFileSync(backup, 'utf8').trim().split('\n')).toHaveLength(2);
  });
});

describe('incident heads', () => {
  const KEY = JSON.stringify(['XYZ', 'server1', 'CPU Utilization']);

  it('claimHead from 0 creates the head; a second create loses', async () => {
    await expect(store.getHead(KEY)).resolves.toBeUndefined();
    await expect(store.claimHead({ dedupKey: KEY, generation: 1, incidentId: 'inc-1' }, 0)).resolves.toBe(true);
    await expect(store.claimHead({ dedupKey: KEY, generation: 1, incidentId: 'inc-other' }, 0)).resolves.toBe(false);
    await expect(store.getHead(KEY)).resolves.toEqual({ dedupKey: KEY, generation: 1, incidentId: 'inc-1' });
  });

  it('claimHead from N is compare-and-set on the generation', async () => {
    await store.claimHead({ dedupKey: KEY, generation: 1, incidentId: 'inc-1' }, 0);
    await expect(store.claimHead({ dedupKey: KEY, generation: 2, incidentId: 'inc-2' }, 1)).resolves.toBe(true);
    await expect(store.getHead(KEY)).resolves.toEqual({ dedupKey: KEY, generation: 2, incidentId: 'inc-2' });

    // Stale generation: refused, head unchanged.
    await expect(store.claimHead({ dedupKey: KEY, generation: 2, incidentId: 'inc-late' }, 1)).resolves.toBe(false);
    await expect(store.getHead(KEY)).resolves.toEqual({ dedupKey: KEY, generation: 2, incidentId: 'inc-2' });
  });

  it('claimHead from N on a head that does not exist is refused and creates nothing', async () => {
    await expect(store.claimHead({ dedupKey: KEY, generation: 4, incidentId: 'inc-4' }, 3)).resolves.toBe(false);
    await expect(store.getHead(KEY)).resolves.toBeUndefined();
  });

  it('racing claims: exactly one winner from 0 and exactly one from N', async () => {
    const fromZero = await Promise.all(
      ['inc-a', 'inc-b', 'inc-c', 'inc-d'].map((incidentId) => store.claimHead({ dedupKey: KEY, generation: 1, incidentId }, 0)),
    );
    expect(fromZero.filter(Boolean)).toHaveLength(1);
    const winner = (await store.getHead(KEY))?.incidentId;
    expect(['inc-a', 'inc-b', 'inc-c', 'inc-d'][fromZero.indexOf(true)]).toBe(winner);

    const fromOne = await Promise.all(
      ['inc-e', 'inc-f', 'inc-g'].map((incidentId) => store.claimHead({ dedupKey: KEY, generation: 2, incidentId }, 1)),
    );
    expect(fromOne.filter(Boolean)).toHaveLength(1);
    await expect(store.getHead(KEY)).resolves.toEqual({
      dedupKey: KEY,
      generation: 2,
      incidentId: ['inc-e', 'inc-f', 'inc-g'][fromOne.indexOf(true)],
    });
  });

  it('keys keep their case: dedup keys differing only by case are two heads', async () => {
    await expect(store.claimHead({ dedupKey: 'XYZ/server1/CPU', generation: 1, incidentId: 'inc-upper' }, 0)).resolves.toBe(true);
    await expect(store.claimHead({ dedupKey: 'XYZ/server1/cpu', generation: 1, incidentId: 'inc-lower' }, 0)).resolves.toBe(true);
    await expect(store.getHead('XYZ/server1/CPU')).resolves.toEqual({ dedupKey: 'XYZ/server1/CPU', generation: 1, incidentId: 'inc-upper' });
    await expect(store.getHead('XYZ/server1/cpu')).resolves.toEqual({ dedupKey: 'XYZ/server1/cpu', generation: 1, incidentId: 'inc-lower' });
    await expect(store.getHead('xyz/server1/cpu')).resolves.toBeUndefined();
  });

  it('keys keep their case for incidents and rosters too', async () => {
    await store.createIncident(newIncident('INC-1'));
    await expect(store.createIncident(newIncident('inc-1'))).resolves.toBe(true);
    await store.putRoster({ ...ROSTER, system: 'Billing' });
    await expect(store.getRoster('billing')).resolves.toBeUndefined();
    expect((await store.getRoster('Billing'))?.system).toBe('Billing');
  });
});

describe('contacts', () => {
  it('createContact once per attempt; getContact round-trips', async () => {
    const record = contact('inc-1', 1, 'contact-aaa');
    await expect(store.createContact(record)).resolves.toBe(true);
    await expect(store.createContact({ ...record, contactId: 'contact-retry' })).resolves.toBe(false);
    await expect(store.getContact('inc-1', 1)).resolves.toEqual(record);
    await expect(store.getContact('inc-1', 2)).resolves.toBeUndefined();
  });

  it("listContacts reads one incident's contacts in attempt order, not its alerts or events", async () => {
    await store.createIncident(newIncident('inc-1'));
    await store.recordAlert(alertRecord('inc-1', 'alert-1', T0));
    await store.recordEvent(timelineEvent('inc-1', 'evt-1', '2026-11-24T01:00:00.000Z'));
    for (const attempt of [10, 2, 1]) await store.createContact(contact('inc-1', attempt, `contact-${attempt}`));
    await store.createContact(contact('inc-2', 1, 'contact-other'));
    expect((await store.listContacts('inc-1')).map((c) => c.attempt)).toEqual([1, 2, 10]);
    expect((await store.listContacts('inc-1'))[0]).toEqual(contact('inc-1', 1, 'contact-1'));
    await expect(store.listContacts('inc-none')).resolves.toEqual([]);
  });

  it('findContact finds the record by Connect contact id through the GSI', async () => {
    await store.createContact(contact('inc-1', 1, 'contact-aaa'));
    await store.createContact(contact('inc-1', 2, 'contact-bbb'));
    await store.createContact(contact('inc-2', 1, 'contact-ccc'));

    await expect(store.findContact('contact-bbb')).resolves.toEqual(contact('inc-1', 2, 'contact-bbb'));
    await expect(store.findContact('contact-ccc')).resolves.toEqual(contact('inc-2', 1, 'contact-ccc'));
    await expect(store.findContact('contact-zzz')).resolves.toBeUndefined();
    await expect(store.findContact('CONTACT-AAA')).resolves.toBeUndefined();
  });

  it('findContact returns the latest state of the item', async () => {
    await store.createContact(contact('inc-1', 1, 'contact-aaa'));
    await store.recordOutcome('inc-1', 1, { outcome: 'no-answer', endedAt: T0 + 120_000, via: 'contact-event', discon_reason: 'CUSTOMER_DISCONNECT' });
    const found = await store.findContact('contact-aaa');
    expect(found?.outcome).toBe('no-answer');
    expect(found?.discon_reason).toBe('CUSTOMER_DISCONNECT');
  });

  it('recordOutcome: the first writer wins, acknowledged sets check_flag', async () => {
    await store.createContact(contact('inc-1', 1, 'contact-aaa'));
    const first = await store.recordOutcome('inc-1', 1, {
      outcome: 'acknowledged',
      endedAt: T0 + 90_000,
      via: 'contact-flow',
      digits: '1',
    });
    expect(first).toEqual({ recorded: true });

    const expected: ContactRecord = {
      ...contact('inc-1', 1, 'contact-aaa'),
      outcome: 'acknowledged',
      endedAt: T0 + 90_000,
      via: 'contact-flow',
      digits: '1',
      check_flag: true,
    };
    await expect(store.getContact('inc-1', 1)).resolves.toEqual(expected);

    const second = await store.recordOutcome('inc-1', 1, {
      outcome: 'no-answer',
      endedAt: T0 + 95_000,
      via: 'contact-event',
      discon_reason: 'CUSTOMER_DISCONNECT',
    });
    expect(second).toEqual({ recorded: false, existing: expected });
    await expect(store.getContact('inc-1', 1)).resolves.toEqual(expected);
  });

  it('recordOutcome: anything but acknowledged leaves check_flag false', async () => {
    const outcomes = ['skipped', 'silenced', 'no-answer', 'busy', 'answered-no-input', 'failed', 'timeout'] as const;
    for (const [i, outcome] of outcomes.entries()) {
      await store.createContact(contact('inc-1', i + 1, `contact-${i}`));
      const update =
        outcome === 'silenced'
          ? { outcome, endedAt: T0 + 1, via: 'contact-flow' as const, digits: '3', silenceHours: 4 }
          : { outcome, endedAt: T0 + 1, via: 'timeout' as const };
      await expect(store.recordOutcome('inc-1', i + 1, update)).resolves.toEqual({ recorded: true });
      const stored = await store.getContact('inc-1', i + 1);
      expect(stored?.outcome).toBe(outcome);
      expect(stored?.check_flag).toBe(false);
      if (outcome === 'silenced') expect(stored?.silenceHours).toBe(4);
    }
  });

  it('recordOutcome for a contact that was never created is not recorded and creates nothing', async () => {
    await expect(store.recordOutcome('inc-1', 7, { outcome: 'timeout', endedAt: T0, via: 'timeout' })).resolves.toEqual({
      recorded: false,
      existing: undefined,
    });
    await expect(store.getContact('inc-1', 7)).resolves.toBeUndefined();
  });

  it('noteConnected sets connectedAt only once', async () => {
    await store.createContact(contact('inc-1', 1, 'contact-aaa'));
    await store.noteConnected('inc-1', 1, T0 + 70_000);
    await store.noteConnected('inc-1', 1, T0 + 80_000);
    await expect(store.getContact('inc-1', 1)).resolves.toEqual({ ...contact('inc-1', 1, 'contact-aaa'), connectedAt: T0 + 70_000 });
  });

  it('noteConnected on a missing contact resolves without creating one', async () => {
    await expect(store.noteConnected('inc-1', 9, T0)).resolves.toBeUndefined();
    await expect(store.getContact('inc-1', 9)).resolves.toBeUndefined();
  });
});

describe('rosters', () => {
  it('put, get and list', async () => {
    const abc: Roster = rosterSchema.parse({ system: 'ABC', responders: [{ name: 'Cho', phone: '+819011110003' }] });
    expect(abc.rounds).toBe(3);
    expect(abc.responders[0]).toEqual({ name: 'Cho', phone: '+819011110003', language: 'ja-JP', timezone: 'Asia/Tokyo' });

    await store.putRoster(ROSTER);
    await store.putRoster(abc);
    await expect(store.getRoster('XYZ')).resolves.toEqual(ROSTER);
    await expect(store.getRoster('ABC')).resolves.toEqual(abc);
    await expect(store.getRoster('NOPE')).resolves.toBeUndefined();

    const listed = await store.listRosters();
    expect(listed).toEqual([abc, ROSTER]);

    // Put replaces.
    const edited: Roster = { ...abc, rounds: 1 };
    await store.putRoster(edited);
    await expect(store.getRoster('ABC')).resolves.toEqual(edited);
    expect(await store.listRosters()).toHaveLength(2);
  });

  it('listRosters on an empty table is empty', async () => {
    await expect(store.listRosters()).resolves.toEqual([]);
  });
});

describe('silences', () => {
  const narrow: Silence = {
    silenceId: 'sil-inc-1',
    scope: { system: 'XYZ', host: 'server1', service: 'CPU Utilization' },
    from: T0,
    until: T0 + 4 * 3_600_000,
    createdBy: 'Aki',
    incidentId: 'inc-1',
  };
  const wide: Silence = {
    silenceId: 'sil-maint',
    scope: { system: 'XYZ' },
    from: T0,
    until: T0 + 2 * 3_600_000 + 500,
    createdBy: 'ops',
    reason: 'maintenance window',
  };
  const other: Silence = {
    silenceId: 'sil-abc',
    scope: { system: 'ABC', host: 'db1' },
    from: T0,
    until: T0 + 3_600_000,
    createdBy: 'ops',
  };

  it('put, list per system, list all, delete true then false', async () => {
    await store.putSilence(narrow);
    await store.putSilence(wide);
    await store.putSilence(other);

    const xyz = await store.listSilences('XYZ');
    expect(xyz).toEqual([narrow, wide]);
    await expect(store.listSilences('ABC')).resolves.toEqual([other]);
    await expect(store.listSilences('xyz')).resolves.toEqual([]);

    const all = await store.listAllSilences();
    expect(all).toHaveLength(3);
    expect([...all].sort((a, b) => a.silenceId.localeCompare(b.silenceId))).toEqual([other, narrow, wide]);

    await expect(store.deleteSilence('XYZ', 'sil-maint')).resolves.toBe(true);
    await expect(store.deleteSilence('XYZ', 'sil-maint')).resolves.toBe(false);
    await expect(store.deleteSilence('ABC', 'sil-inc-1')).resolves.toBe(false);
    await expect(store.listSilences('XYZ')).resolves.toEqual([narrow]);
    expect((await store.listAllSilences()).map((s) => s.silenceId).sort()).toEqual(['sil-abc', 'sil-inc-1']);
  });

  it('stores the expiresAt TTL attribute as a number: a month after the silence ends, in epoch seconds', async () => {
    await store.putSilence(narrow);
    await store.putSilence(wide);
    const entities = createEntities(doc, table);

    for (const silence of [narrow, wide]) {
      const params = entities.silence.get({ system: silence.scope.system, silenceId: silence.silenceId }).params();
      const { Item } = await doc.send(new GetCommand({ TableName: table, Key: params.Key, ConsistentRead: true }));
      expect(Item).toBeDefined();
      expect(typeof Item?.expiresAt).toBe('number');
      expect(Item?.expiresAt).toBe(Math.ceil(silence.until / 1000) + 30 * 86_400);
    }
    // The TTL attribute is storage-only: it does not leak into the domain Silence.
    const listed = await store.listSilences('XYZ');
    expect(listed.every((s) => !('expiresAt' in s))).toBe(true);
  });

  it('a maintenance window keeps its recurrence as three flat attributes; one without an end is kept until removed', async () => {
    const weekly: Silence = { ...wide, silenceId: 'sil-weekly', until: NO_END, recurrence: { cron: 'cron(0 2 ? * SUN *)', durationMinutes: 120, timezone: 'Asia/Tokyo' } };
    await store.putSilence(weekly);
    await store.putSilence(narrow);
    await expect(store.listSilences('XYZ')).resolves.toEqual([narrow, weekly]);
    const entities = createEntities(doc, table);
    const { Key } = entities.silence.get({ system: 'XYZ', silenceId: 'sil-weekly' }).params();
    const { Item } = await doc.send(new GetCommand({ TableName: table, Key, ConsistentRead: true }));
    expect(Item).toMatchObject({ cron: 'cron(0 2 ? * SUN *)', durationMinutes: 120, timezone: 'Asia/Tokyo', until: NO_END });
    // Its TTL is past the year 275000: DynamoDB never expires it.
    expect(Item?.expiresAt).toBeGreaterThan(Date.parse('9999-12-31T00:00:00Z') / 1000);
    // A one-off silence has none of them, and reads back without a recurrence, as records written before them do.
    const { Item: oneOff } = await doc.send(new GetCommand({ TableName: table, Key: entities.silence.get({ system: 'XYZ', silenceId: narrow.silenceId }).params().Key, ConsistentRead: true }));
    expect(oneOff).toBeDefined();
    expect(oneOff).not.toHaveProperty('cron');
    expect((await store.listSilences('XYZ')).find((s) => s.silenceId === narrow.silenceId)).not.toHaveProperty('recurrence');
  });
});

describe('timeline collection', () => {
  it('returns the incident with its alerts, contacts and events in ONE query, and nothing of another incident', async () => {
    const mine = newIncident('inc-1');
    const theirs = newIncident('inc-2', T0 + 1000, { host: 'server2' });
    // inc-10 shares the prefix "inc-1" of the partition key value: must not leak in either.
    const prefixed = newIncident('inc-10', T0 + 2000, { host: 'server3' });
    await store.createIncident(mine);
    await store.createIncident(theirs);
    await store.createIncident(prefixed);

    const alerts = [alertRecord('inc-1', 'alert-a', T0), alertRecord('inc-1', 'alert-b', T0 + 5000)];
    for (const a of [...alerts, alertRecord('inc-2', 'alert-x', T0), alertRecord('inc-10', 'alert-y', T0)]) await store.recordAlert(a);

    const contacts = [contact('inc-1', 1, 'contact-aaa'), contact('inc-1', 2, 'contact-bbb')];
    for (const c of [...contacts, contact('inc-2', 1, 'contact-ccc'), contact('inc-10', 1, 'contact-ddd')]) await store.createContact(c);

    const events = [
      timelineEvent('inc-1', 'ev-1', '2026-11-24T01:00:00.000Z'),
      { ...timelineEvent('inc-1', 'ev-2', '2026-11-24T01:00:01.000Z', 'Escalated'), replayName: 'audit-replay' },
    ];
    for (const e of [...events, timelineEvent('inc-2', 'ev-9', '2026-11-24T01:00:00.000Z'), timelineEvent('inc-10', 'ev-8', '2026-11-24T01:00:00.000Z')])
      await store.recordEvent(e);
    // A head and a roster are in the table too, under other keys.
    await store.claimHead({ dedupKey: mine.dedupKey, generation: 1, incidentId: 'inc-1' }, 0);

    // Count the requests the store sends.
    const sent: string[] = [];
    doc.middlewareStack.add(
      (next, context) => async (args) => {
        sent.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize', name: 'countRequests' },
    );
    let timeline;
    try {
      timeline = await store.timeline('inc-1');
    } finally {
      doc.middlewareStack.remove('countRequests');
    }
    expect(sent).toEqual(['QueryCommand']);

    expect(timeline.incident).toEqual(mine);
    expect(timeline.alerts).toEqual(alerts);
    expect(timeline.contacts).toEqual(contacts);
    expect(timeline.events).toEqual(events);
  });

  it('an incident with nothing stored yet gives an empty timeline', async () => {
    await expect(store.timeline('inc-none')).resolves.toEqual({ incident: undefined, alerts: [], contacts: [], events: [] });
  });
});

describe('rejections', () => {
  function rejection(rejectionId: string, at: number): RejectionRecord {
    return {
      rejectionId,
      at,
      source: 'nagios',
      sourceEventId: `evt-${rejectionId}`,
      reason: 'invalid alert alertinfo[0]',
      issues: ['alertinfo[0].host: Invalid input: expected string, received undefined'],
      input: '{"service":"CPU","systemname":"XYZ"}',
    };
  }

  it('are recorded and listed newest first, without the TTL attribute', async () => {
    await store.recordRejection(rejection('rej-1', T0));
    await store.recordRejection(rejection('rej-3', T0 + 2000));
    await store.recordRejection(rejection('rej-2', T0 + 1000));

    await expect(store.listRejections(10)).resolves.toEqual([
      rejection('rej-3', T0 + 2000),
      rejection('rej-2', T0 + 1000),
      rejection('rej-1', T0),
    ]);
    await expect(store.listRejections(1)).resolves.toEqual([rejection('rej-3', T0 + 2000)]);
  });

  it('carry a 90-day TTL in the raw item', async () => {
    await store.recordRejection(rejection('rej-1', T0 + 1));
    const { Items } = await doc.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
    expect(Items).toHaveLength(1);
    expect(Items?.[0]?.expiresAt).toBe(Math.ceil((T0 + 1) / 1000) + 90 * 86_400);
  });

  it('an empty table lists none', async () => {
    await expect(store.listRejections(5)).resolves.toEqual([]);
  });
});

describe('notifications: the claim that sends each condition once', () => {
  const claim = (at: number) => ({ notificationId: 'exhausted:inc-1', kind: 'incident-exhausted' as const, subject: 'yobidashi: Nobody answered', incidentId: 'inc-1', system: 'XYZ', claimedAt: at });

  it('the first claim wins; a second is busy while the first is fresh, and sees sent once it is marked', async () => {
    expect(await store.claimNotification(claim(T0), T0 - 60_000)).toBe('claimed');
    expect(await store.claimNotification(claim(T0 + 1_000), T0 + 1_000 - 60_000)).toBe('busy');
    await store.markNotificationSent('exhausted:inc-1', T0 + 2_000, 'msg-1');
    expect(await store.claimNotification(claim(T0 + 3_000), T0 + 3_000 - 60_000)).toBe('sent');
    expect(await store.listNotifications(10)).toEqual([{ ...claim(T0), state: 'sent', sentAt: T0 + 2_000, messageId: 'msg-1' }]);
  });

  it('a stale claim (its publisher died) is taken over by exactly one of two racing deliveries', async () => {
    expect(await store.claimNotification(claim(T0), T0 - 60_000)).toBe('claimed');
    const later = T0 + 120_000;
    const results = await Promise.all([store.claimNotification(claim(later), later - 60_000), store.claimNotification(claim(later + 1), later + 1 - 60_000)]);
    expect(results.sort()).toEqual(['busy', 'claimed']);
    const [record] = await store.listNotifications(1);
    expect(record).toMatchObject({ state: 'sending' });
    expect(record!.claimedAt).toBeGreaterThanOrEqual(later);
  });

  it('lists newest first, each condition once', async () => {
    for (const [i, id] of ['a', 'b', 'c'].entries()) await store.claimNotification({ ...claim(T0 + i), notificationId: `placement:${id}:1`, kind: 'placement-failing' }, 0);
    expect((await store.listNotifications(2)).map((n) => n.notificationId)).toEqual(['placement:c:1', 'placement:b:1']);
  });
});
