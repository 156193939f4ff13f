import { ZodError } from 'zod';

/**
 * Failures split in two. A *permanent* one (an event that fails its schema, a poison payload, an
 * incident that names a responder its roster lacks) will fail the same way however often it is
 * retried: it is recorded with its reason and not retried. Everything else is *transient* until
 * proven otherwise (throttling, 5xx, timeouts, a lost write race): it is thrown, so the event is
 * retried (Lambda's async retries, then the on-failure destination, which the sweep redrives).
 */
export class PermanentError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

export function isPermanent(error: unknown): boolean {
  return error instanceof PermanentError || error instanceof ZodError || error instanceof SyntaxError;
}

/** One line that says what was wrong, for the rejection record and the log. */
export function describeFailure(error: unknown): { reason: string; issues: string[] } {
  if (error instanceof ZodError) {
    return { reason: 'event does not match its schema', issues: error.issues.map((i) => `${i.path.join('.') || '(detail)'}: ${i.message}`) };
  }
  if (error instanceof Error) return { reason: `${error.name}: ${error.message}`, issues: [] };
  return { reason: String(error), issues: [] };
}
