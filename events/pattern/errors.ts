/**
 * Thrown when an event pattern is not one EventBridge would accept. The message always starts with
 * the path of the offending field (`detail.status: ...`, or `pattern: ...` for the pattern itself).
 */
export class InvalidEventPatternError extends Error {
  /** Dotted path of the offending field, e.g. `detail.$or[1].state`; `pattern` for the root. */
  readonly path: string;

  constructor(message: string, path = 'pattern') {
    super(message);
    this.name = 'InvalidEventPatternError';
    this.path = path;
  }
}

/** Builds the error with the `path: reason` message format used throughout. */
export function invalid(path: string, reason: string): InvalidEventPatternError {
  return new InvalidEventPatternError(`${path}: ${reason}`, path);
}
