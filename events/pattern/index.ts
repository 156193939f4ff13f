export {
  compileEventPattern,
  InvalidEventPatternError,
  matchesEventPattern,
  validateEventPattern,
} from './match.ts';
export type { EventPattern } from './match.ts';
export { InvalidEventError, toAwsError } from './errors.ts';
export type { AwsErrorAnswer } from './errors.ts';
export { REQUIRED_EVENT_FIELDS, testEventPattern } from './test-event-pattern.ts';
export { MAX_WILDCARD_COMPLEXITY } from './complexity.ts';
