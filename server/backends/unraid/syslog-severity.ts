/**
 * How serious a syslog line is, from what it says. Unraid's rsyslog template writes no priority, so
 * the words decide (case-insensitive, whole words):
 *
 * - error: `I/O error`, `call trace`, `kernel BUG`, `Oops`, `segfault`, `general protection`, `out
 *   of memory`, `oom-kill`, `killed process`, `panic`, `fatal`, `critical`/`crit`, `emerg`,
 *   `unrecoverable`/`uncorrectable`, `corrupt(ed|ion)`, `error(s)`, `failed`/`failure`/`fail`;
 * - warning: `warn(ing)`, `timeout`/`timed out`, `retry(ing)`, `reset(ting)`, `deprecated`, `denied`,
 *   `refused`, `cannot`/`can't`/`could not`/`unable`, `invalid`, `unexpected`, `exception`,
 *   `missing`, `degraded`, `not responded`/`not responding`, `throttl…`;
 * - info: everything else.
 *
 * "0 errors", "no errors" and "without error" (emhttpd's parity summary, mover) say that nothing
 * went wrong and are not counted.
 */
export const SYSLOG_SEVERITIES = ['error', 'warning'] as const;
export type SyslogSeverityFilter = (typeof SYSLOG_SEVERITIES)[number];
export type SyslogSeverity = SyslogSeverityFilter | 'info';

const NOTHING_WRONG = /\b(?:0|no|zero|without)\s+(?:errors?|failures?)\b/gi;
const ERROR =
  /\bI\/O error|\bcall trace\b|\bkernel BUG\b|\bOops\b|\bsegfault\b|\bgeneral protection\b|\bout of memory\b|\boom-kill|\bkilled process\b|\bpanic\b|\bfatal\b|\bcritical\b|\bcrit\b|\bemerg\b|\bunrecoverable\b|\buncorrectable\b|\bcorrupt(?:ed|ion)?\b|\berrors?\b|\bfail(?:ed|ure|s)?\b/i;
const WARNING =
  /\bwarn(?:ing)?s?\b|\btime(?:d)? ?out\b|\bretry(?:ing)?\b|\breset(?:ting)?\b|\bdeprecated\b|\bdenied\b|\brefused\b|\bcannot\b|\bcan't\b|\bcould not\b|\bunable\b|\binvalid\b|\bunexpected\b|\bexception\b|\bmissing\b|\bdegraded\b|\bnot respond(?:ed|ing)\b|\bthrottl/i;

/**
 * A part of every word above, in one test: most lines hold none of them and are info after this one
 * scan (the full patterns cost three). Must stay a superset of ERROR and WARNING.
 */
const ANY_WORD =
  /err|fail|fatal|panic|crit|emerg|corrupt|oops|segfault|bug|trace|protection|memory|oom|killed|unrecoverable|uncorrectable|warn|time|retry|reset|deprecated|denied|refused|can|could|unable|invalid|unexpected|exception|missing|degraded|respond|throttl/i;

const RANK: Record<SyslogSeverity, number> = { info: 0, warning: 1, error: 2 };

export function classifySyslog(message: string): SyslogSeverity {
  const text = message.length > 1024 ? message.slice(0, 1024) : message;
  if (!ANY_WORD.test(text)) return 'info';
  const plain = text.replace(NOTHING_WRONG, ' ');
  if (ERROR.test(plain)) return 'error';
  if (WARNING.test(plain)) return 'warning';
  return 'info';
}

export const atLeastSeverity = (s: SyslogSeverity, min: SyslogSeverityFilter) => RANK[s] >= RANK[min];

/**
 * False when no line of `text` (many lines at once) can be of at least `min` severity: the words are
 * looked for in the whole text, so a search can pass over a chunk of log without judging each line.
 */
export function mayHoldSeverity(text: string, min: SyslogSeverityFilter): boolean {
  return ERROR.test(text) || (min === 'warning' && WARNING.test(text));
}
