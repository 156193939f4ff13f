export {
  compileEventPattern,
  InvalidEventPatternError,
  matchesEventPattern,
  validateEventPattern,
} from './match.ts';
export type { EventPattern } from './match.ts';
