import type { Logger } from '../ports.ts';

/**
 * Structured JSON logs, one line each, in the shape Powertools uses (level, message, timestamp,
 * correlation_id): CloudWatch Logs Insights and `jq` read them alike. Callers mask phone numbers
 * before logging (domain/roster.ts maskPhone); nothing here sees a full number.
 */
const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type LogLevel = keyof typeof LEVELS;

export function jsonLogger(options: {
  level?: LogLevel;
  write?: (line: string) => void;
  now?: () => number;
  fields?: Record<string, unknown>;
}): Logger {
  const threshold = LEVELS[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = options.now ?? (() => Date.now());
  const base = options.fields ?? {};
  const emit = (level: LogLevel) => (message: string, fields: Record<string, unknown> = {}) => {
    if (LEVELS[level] < threshold) return;
    write(JSON.stringify({ level: level.toUpperCase(), message, timestamp: new Date(now()).toISOString(), ...base, ...fields }, errorReplacer));
  };
  return {
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    child: (fields) => jsonLogger({ ...options, fields: { ...base, ...fields } }),
  };
}

function errorReplacer(_key: string, value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message } : value;
}

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
