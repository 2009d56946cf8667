import { isSecretKey, redact, REDACTED } from './util/redact.js';

/**
 * A minimal structured logger: one JSON line per event on stderr. Strings are stripped of CR/LF so a
 * value can never forge a second log line. Secrets are redacted as everywhere else (util/redact.ts):
 * values of secret-named fields, secret-shaped strings in any field or message (an error's message
 * and stack too), and secret flags in argument lists.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export function createLogger(
  minLevel: LogLevel = 'info',
  write: (line: string) => void = (l) => process.stderr.write(l),
): Logger {
  const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < ORDER[minLevel]) return;
    const line = JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }, loggable);
    write(line + '\n');
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

/**
 * JSON.stringify's replacer: sees every value on its way into the line, so nothing reaches the log
 * unredacted, however deep (an Error becomes name, message and stack, which then pass through here).
 */
function loggable(key: string, v: unknown): unknown {
  if (typeof v === 'string')
    return (key !== '' && isSecretKey(key) ? REDACTED : redact(v)).replace(/[\r\n]+/g, ' ');
  if (typeof v === 'number' || typeof v === 'boolean') return key !== '' && isSecretKey(key) ? REDACTED : v;
  if (v instanceof Error) return { name: v.name, message: v.message, stack: v.stack };
  // Lists as argument lists (a secret flag hides the item after it); their items come back here.
  if (Array.isArray(v)) {
    const list = v as unknown[];
    return key !== '' && isSecretKey(key)
      ? list.map((x) => (typeof x === 'object' ? x : REDACTED))
      : redact(list);
  }
  return v;
}

/** A logger that drops everything, for tests that do not look at logs. */
export const silentLogger: Logger = createLogger('error', () => {});
