import { describe, expect, it } from 'vitest';
import {
  attributeProblems,
  attributesSize,
  CALL_ATTRIBUTES,
  CONNECT_ATTRIBUTES_MAX_BYTES,
  FLOW_SET_ATTRIBUTES_MAX,
} from '../../contact-flow/attributes.ts';
import { xmlEscape } from '../../contact-flow/ssml.ts';
import { alertSpeech, mergedAlertSpeech, type Language, type SpokenAlert } from '../../domain/message.ts';

/** The cap on incidents in one merged call (the placement side's MAX_COVERS). */
const MAX_MERGED = 50;
/** The longest system, host or service an alert may carry (events/alerts.ts). */
const MAX_ALERT_FIELD = 256;

/**
 * A call's attributes as the contract between the call handler and the flow has them
 * (contact-flow/attributes.ts): the lead incident's fields, the spoken text, count and covers.
 */
function attributesFor(language: Language, alerts: SpokenAlert[], incidentIds: string[], attempt: number): Record<string, string> {
  const lead = alerts[0]!;
  const message = mergedAlertSpeech(language, alerts, 'Pacific/Chatham');
  return {
    incidentId: incidentIds[0]!,
    attempt: String(attempt),
    systemname: lead.system,
    host: lead.host,
    service: lead.service,
    startdate: new Date(lead.occurredAtMs).toISOString(),
    language,
    message,
    messageSsml: xmlEscape(message),
    count: String(alerts.length),
    covers: incidentIds.map((id) => `${id}:${attempt}`).join(','),
  };
}

/** Fields at their longest in characters, in the character that costs the most bytes (in the text, or escaped in SSML). */
const FILLERS = { 'three-byte kana': 'あ', 'a quote (&quot; in SSML)': '"', 'an ampersand (&amp; in SSML)': '&' };

describe('contact attributes', () => {
  it('are measured as Connect counts them: UTF-8 bytes of keys and values', () => {
    expect(CONNECT_ATTRIBUTES_MAX_BYTES).toBe(32_768);
    expect(attributesSize({})).toBe(0);
    expect(attributesSize({ count: '3' })).toBe(6);
    expect(attributesSize({ host: 'サーバ' })).toBe(4 + 9);
    expect(attributesSize({ service: '𠮷' })).toBe(7 + 4);
  });

  it('names what the call handler sets, count and covers included', () => {
    expect(CALL_ATTRIBUTES).toEqual(['incidentId', 'attempt', 'systemname', 'host', 'service', 'startdate', 'language', 'message', 'messageSsml', 'count', 'covers']);
  });

  it.each(Object.entries(FILLERS))('a merged call of %s fields stays within the limit at the incident cap', (_, filler) => {
    const field = filler.repeat(MAX_ALERT_FIELD);
    const ids = Array.from({ length: MAX_MERGED }, (_, i) => `${String(i).padStart(16, 'f')}-12345`);
    expect(ids[0]).toMatch(/^[0-9a-f]{16}-12345$/);
    // Systems that differ within the spoken part: the longer, mixed-systems wording.
    const alerts = ids.map((_, i) => ({ system: `${String(i).padStart(2, '0')}${field.slice(2)}`, host: field, service: field, occurredAtMs: 1_700_000_000_000 + i }));
    for (const language of ['ja-JP', 'en-US'] as const) {
      const attributes = attributesFor(language, alerts, ids, 999);
      const size = attributesSize({ ...attributes, ...FLOW_SET_ATTRIBUTES_MAX });
      expect(attributeProblems(attributes)).toEqual([]);
      expect(attributes.message).toMatch(language === 'ja-JP' ? /^アラートが50件あります。/ : /^50 alerts: /);
      // Far within: the spoken text is capped whatever the count, and covers grows by 27 bytes an incident.
      expect(size).toBeLessThan(CONNECT_ATTRIBUTES_MAX_BYTES / 4);
      expect(attributes.covers?.length).toBe(MAX_MERGED * 27 - 1);
    }
  });

  it('a single call with the longest message stays within the limit too', () => {
    const field = '"'.repeat(MAX_ALERT_FIELD);
    const alert = { system: field, host: field, service: field, occurredAtMs: 1_700_000_000_000, message: '"'.repeat(2000) };
    const message = alertSpeech('en-US', alert, 'UTC');
    const attributes: Record<string, string> = { ...attributesFor('en-US', [alert], ['0123456789abcdef-12345'], 999), message, messageSsml: xmlEscape(message) };
    expect(attributes.count).toBe('1');
    expect(attributesSize(attributes)).toBeLessThan(CONNECT_ATTRIBUTES_MAX_BYTES / 4);
    expect(attributeProblems(attributes)).toEqual([]);
  });

  it('reports what Connect would refuse: a bad key, or too many bytes with what the flow adds', () => {
    expect(attributeProblems({ 'lead incident': 'x' })).toEqual(['attribute key "lead incident" may hold only letters, digits, - and _']);
    const flowOwn = attributesSize(FLOW_SET_ATTRIBUTES_MAX);
    const fits = { covers: 'x'.repeat(CONNECT_ATTRIBUTES_MAX_BYTES - flowOwn - 'covers'.length) };
    expect(attributeProblems(fits)).toEqual([]);
    expect(attributeProblems({ covers: `${fits.covers}x` })).toEqual([`attributes take ${CONNECT_ATTRIBUTES_MAX_BYTES + 1} bytes with the flow's own; Connect allows ${CONNECT_ATTRIBUTES_MAX_BYTES}`]);
  });
});
