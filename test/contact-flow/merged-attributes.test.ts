import { describe, expect, it } from 'vitest';
import { attributeProblems, attributesSize, CONNECT_ATTRIBUTES_MAX_BYTES } from '../../contact-flow/attributes.ts';
import { openIncident, type Incident } from '../../domain/incident.ts';
import { MAX_COVERS } from '../../domain/line.ts';
import { callAttributes, coveredByAttributes } from '../../handlers/lib/call-attributes.ts';
import { alert, roster, T0 } from '../domain/fixtures.ts';

/** The largest merged call the line allows (MAX_COVERS) still fits Connect's 32 KB of attributes. */
describe('a merged call at the cap', () => {
  it(`${MAX_COVERS} incidents with maximal fields: attributes within Connect's limit, every incident listed`, () => {
    const long = (c: string) => c.repeat(100);
    const incidents: Incident[] = Array.from({ length: MAX_COVERS }, (_, i) =>
      openIncident(
        { incidentId: `${'f'.repeat(16)}-${String(10_000 + i)}`, alert: alert({ systemname: long('系'), host: `${long('&')}${i}`.slice(0, 256), service: long('"'), message: long('x') }), alertId: `a:${i}`, now: T0 + i },
        roster(['Aki', 'Ben']),
      ).incident,
    );
    const lead = incidents[0]!;
    const covers = incidents.map((i) => ({ incidentId: i.incidentId, attempt: 1 }));
    const attributes = callAttributes(lead, lead.call!, lead.roster.responders[0]!, incidents, covers);
    expect(attributeProblems(attributes)).toEqual([]);
    expect(attributesSize(attributes)).toBeLessThan(CONNECT_ATTRIBUTES_MAX_BYTES / 4);
    expect(attributes.count).toBe(String(MAX_COVERS));
    expect(coveredByAttributes(attributes)).toEqual(covers);
  });

  it('an ordinary call covers its one incident', () => {
    const incident = openIncident({ incidentId: 'inc-1', alert: alert(), alertId: 'a:0', now: T0 }, roster(['Aki'])).incident;
    const attributes = callAttributes(incident, incident.call!, incident.roster.responders[0]!);
    expect(attributes).toMatchObject({ count: '1', covers: 'inc-1:1' });
    expect(coveredByAttributes(attributes)).toEqual([{ incidentId: 'inc-1', attempt: 1 }]);
    expect(coveredByAttributes({})).toEqual([]);
  });
});
