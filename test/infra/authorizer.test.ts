import { describe, expect, it } from 'vitest';
import { tokensMatch } from '../../infra/aws/functions/authorizer.ts';

describe('HTTP intake authorizer', () => {
  it('accepts only the exact token', () => {
    expect(tokensMatch('s3cret-token', 's3cret-token')).toBe(true);
    expect(tokensMatch('s3cret-tokeN', 's3cret-token')).toBe(false);
    expect(tokensMatch('s3cret', 's3cret-token')).toBe(false);
    expect(tokensMatch('', 's3cret-token')).toBe(false);
    expect(tokensMatch(undefined, 's3cret-token')).toBe(false);
  });
});
