import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { complexityOfWildcards } from '../../events/pattern/complexity.ts';
import {
  InvalidEventError,
  InvalidEventPatternError,
  matchesEventPattern,
  testEventPattern,
  validateEventPattern,
} from '../../events/pattern/index.ts';

/**
 * The differential corpus (aws-pattern-corpus.json): AWS's documented examples and aws/event-ruler's
 * own test cases, each with the answer its source gives. Run against this matcher, every one must
 * agree. The "unsettled" list pins what the matcher does where the sources are silent or disagree.
 */

type Expected = 'match' | 'no match' | 'valid' | 'invalid';
interface Case {
  source: string;
  where: string;
  pattern?: unknown;
  patternText?: string;
  event?: Record<string, unknown>;
  expected: Expected;
  reason?: string;
}
interface ComplexityCase {
  source: string;
  where: string;
  wildcards: { kind: string; pattern: string }[];
  quoted: boolean;
  expected: number;
}
interface TestEventPatternCase {
  source: string;
  where: string;
  patternText: string;
  eventText: string;
  expected: 'match' | 'no match' | 'InvalidEventError' | 'InvalidEventPatternError';
}
interface Unsettled {
  id: string;
  answer: Expected | 'InvalidEventError' | number;
  pattern?: unknown;
  patternText?: string;
  event?: Record<string, unknown>;
  eventText?: string;
  wildcards?: { kind: string; pattern: string }[];
  claims: { source: string; says: string }[];
  ours: string;
}
interface Corpus {
  sources: Record<string, { title: string; url: string }>;
  cases: Case[];
  complexity: ComplexityCase[];
  testEventPattern: TestEventPatternCase[];
  unsettled: Unsettled[];
}

const corpus = JSON.parse(readFileSync(new URL('./aws-pattern-corpus.json', import.meta.url), 'utf8')) as Corpus;
const total = corpus.cases.length + corpus.complexity.length + corpus.testEventPattern.length;

/** The pattern as the case gives it; JSON text that does not parse is an invalid pattern. */
function patternOf(c: { pattern?: unknown; patternText?: string }): { pattern: unknown } | { syntaxError: string } {
  if (c.patternText === undefined) return { pattern: c.pattern };
  try {
    return { pattern: JSON.parse(c.patternText) as unknown };
  } catch (error) {
    return { syntaxError: (error as Error).message };
  }
}

/** What this matcher answers for a case. */
function answer(c: { pattern?: unknown; patternText?: string; event?: Record<string, unknown> }): Expected {
  const parsed = patternOf(c);
  if ('syntaxError' in parsed) return 'invalid';
  try {
    validateEventPattern(parsed.pattern);
  } catch (error) {
    if (error instanceof InvalidEventPatternError) return 'invalid';
    throw error;
  }
  if (c.event === undefined) return 'valid';
  return matchesEventPattern(parsed.pattern, c.event) ? 'match' : 'no match';
}

function testAnswer(patternText: string, eventText: string): string {
  try {
    return testEventPattern(patternText, eventText) ? 'match' : 'no match';
  } catch (error) {
    if (error instanceof InvalidEventError || error instanceof InvalidEventPatternError) return error.name;
    throw error;
  }
}

const label = (c: { source: string; where: string }, i: number): string => `#${i} ${c.source}: ${c.where}`;

describe(`AWS event-pattern corpus: ${total} cases (${corpus.cases.length} patterns, ${corpus.complexity.length} complexity values, ${corpus.testEventPattern.length} TestEventPattern calls) from ${Object.keys(corpus.sources).length} sources; ${corpus.unsettled.length} unsettled`, () => {
  it('every source is cited with a URL, every case names its source', () => {
    for (const s of Object.values(corpus.sources)) expect(s.url).toMatch(/^https:\/\//);
    for (const c of [...corpus.cases, ...corpus.complexity, ...corpus.testEventPattern]) {
      expect(corpus.sources[c.source], c.where).toBeDefined();
      expect(c.where.length).toBeGreaterThan(0);
    }
    expect(total).toBeGreaterThanOrEqual(1000);
  });

  it('covers every operator and both answers', () => {
    const text = JSON.stringify(corpus.cases);
    for (const op of ['prefix', 'suffix', 'equals-ignore-case', 'anything-but', 'numeric', 'exists', 'wildcard', 'cidr', '$or']) {
      expect(text, op).toContain(`"${op}"`);
    }
    for (const e of ['match', 'no match', 'valid', 'invalid'] as const) expect(corpus.cases.some((c) => c.expected === e), e).toBe(true);
  });

  describe('patterns and events', () => {
    it.each(corpus.cases.map((c, i) => [label(c, i), c] as const))('%s', (_name, c) => {
      expect(answer(c)).toBe(c.expected);
      if (c.reason !== undefined) {
        const parsed = patternOf(c);
        expect(() => validateEventPattern('pattern' in parsed ? parsed.pattern : undefined)).toThrow(c.reason);
      }
    });
  });

  describe('wildcard complexity (MachineComplexityEvaluator values)', () => {
    it.each(corpus.complexity.map((c, i) => [label(c, i), c] as const))('%s', (_name, c) => {
      expect(complexityOfWildcards(c.wildcards.map((w) => w.pattern), { quoted: c.quoted })).toBe(c.expected);
    });
  });

  describe('TestEventPattern', () => {
    it.each(corpus.testEventPattern.map((c, i) => [label(c, i), c] as const))('%s', (_name, c) => {
      expect(testAnswer(c.patternText, c.eventText)).toBe(c.expected);
    });
  });

  describe('unsettled: what the matcher does where the sources are silent or disagree', () => {
    it.each(corpus.unsettled.map((u) => [u.id, u] as const))('%s', (_id, u) => {
      expect(u.claims.length).toBeGreaterThan(0);
      let got: Unsettled['answer'];
      if (u.wildcards !== undefined) got = complexityOfWildcards(u.wildcards.map((w) => w.pattern));
      else if (u.eventText !== undefined) got = testAnswer(u.patternText ?? '', u.eventText) as Unsettled['answer'];
      else got = answer(u);
      expect(got).toBe(u.answer);
    });
  });
});
