/**
 * Severity of a log line, guessed from the formats containers commonly write. Heuristics, tried in
 * order; the first that recognises a level wins, and a line none recognises has no level:
 *
 * 1. key/value anywhere in the line — logfmt `level=error`, JSON `"level":"warn"` (also `lvl`,
 *    `severity`, `loglevel`, `log_level`, `log.level`, `levelname`), and pino/bunyan numeric levels
 *    (`"level":50`: ≥50 error, 40 warn, 30 info, ≤20 debug);
 * 2. glog/klog prefixes: `E0601 12:00:00.000000` (E error, W warn, I info, F fatal → error);
 * 3. a level word opening the line: `Error: …`, `panic: …`, `warning: …`, `npm ERR! …`;
 *    `Traceback (most recent call last):` and `Exception in thread …` count as errors;
 * 4. a bracketed level in the first 200 characters: `[ERROR]`, nginx `[error]`, Apache
 *    `[core:warn]`, `<warn>`, `(INFO)`;
 * 5. an upper-case level word in the first 160 characters, standing alone: `2025-06-01 12:00:00
 *    ERROR …`, `ERROR:root:…` (Python), tab-separated zap console output.
 *
 * Words: error ← error, err, fatal, crit(ical), panic, emerg(ency), alert, severe; warn ← warn,
 * warning; info ← info, notice; debug ← debug, dbg, trace, verbose. All regexes here are bounded
 * and linear.
 */
export const LOG_LEVELS = ['error', 'warn', 'info'] as const;
export type LogLevelFilter = (typeof LOG_LEVELS)[number];
export type LogLevel = LogLevelFilter | 'debug';

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

const WORDS: Record<string, LogLevel> = {
  error: 'error',
  err: 'error',
  eror: 'error',
  fatal: 'error',
  crit: 'error',
  critical: 'error',
  panic: 'error',
  emerg: 'error',
  emergency: 'error',
  alert: 'error',
  severe: 'error',
  warn: 'warn',
  warning: 'warn',
  wrn: 'warn',
  info: 'info',
  inf: 'info',
  notice: 'info',
  information: 'info',
  informational: 'info',
  debug: 'debug',
  dbg: 'debug',
  trace: 'debug',
  verbose: 'debug',
};
const WORD_ALT =
  'error|err|eror|fatal|critical|crit|panic|emergency|emerg|alert|severe|warning|warn|wrn|informational|information|info|inf|notice|debug|dbg|trace|verbose';

const KEY_VALUE =
  /(?:^|[\s{,;"'([])(?:level|lvl|severity|loglevel|log_level|log\.level|levelname)["']?\s{0,3}[:=]\s{0,3}["']?([A-Za-z]{1,13}|\d{2})(?![A-Za-z0-9])/gi;
const GLOG = /^([EWIF])\d{4} \d{2}:\d{2}:\d{2}/;
const LINE_START =
  /^\s{0,4}(?:npm )?(error|err|fatal|panic|critical|warning|warn)(?:\[[^\]]{0,30}\])?(?::|!)/i;
const ERROR_START = /^(?:Traceback \(most recent call last\):|Exception in thread )/;
const BRACKET = new RegExp(`[[<(]\\s{0,2}(?:[a-z_]{1,20}:)?(${WORD_ALT})\\s{0,2}[\\]>)]`, 'i');
const UPPER =
  /(?:^|[\s|:\-])(ERROR|ERR|FATAL|CRITICAL|CRIT|PANIC|EMERG|ALERT|SEVERE|WARNING|WARN|INFO|NOTICE|DEBUG|TRACE)(?=$|[\s:|\]\-,!])/;

function fromNumber(n: number): LogLevel | null {
  if (n < 10 || n > 60) return null;
  return n >= 50 ? 'error' : n >= 40 ? 'warn' : n >= 30 ? 'info' : 'debug';
}

/** The line's level, or null when no heuristic recognises one. */
export function detectLevel(line: string): LogLevel | null {
  let tries = 0;
  for (const kv of line.matchAll(KEY_VALUE)) {
    const v = kv[1] as string;
    const level = /^\d/.test(v) ? fromNumber(Number(v)) : WORDS[v.toLowerCase()];
    if (level) return level;
    if (++tries === 4) break;
  }
  const glog = GLOG.exec(line);
  if (glog)
    return ({ E: 'error', W: 'warn', I: 'info', F: 'error' } as const)[glog[1] as 'E' | 'W' | 'I' | 'F'];
  const start = LINE_START.exec(line);
  if (start) return WORDS[(start[1] as string).toLowerCase()] ?? null;
  if (ERROR_START.test(line)) return 'error';
  const bracket = BRACKET.exec(line.slice(0, 200));
  if (bracket) return WORDS[(bracket[1] as string).toLowerCase()] ?? null;
  const upper = UPPER.exec(line.slice(0, 160));
  if (upper) return WORDS[(upper[1] as string).toLowerCase()] ?? null;
  return null;
}

/** True when the line's level is at least `min` (so `warn` keeps warnings and errors). */
export function atLeast(line: string, min: LogLevelFilter): boolean {
  const level = detectLevel(line);
  return level !== null && RANK[level] >= RANK[min];
}
