/**
 * The times docker_logs accepts for `since`/`until`: an ISO 8601 date-time ("2025-06-01T12:00:00Z";
 * without a zone it is the server's local time, as JavaScript reads it; a date alone is midnight UTC)
 * or a duration back from now ("90s", "10m", "2h", "1d", "1w"). Returns epoch milliseconds (never
 * before 1970), or null when the text is neither.
 */
const RELATIVE = /^(\d{1,7})\s*(s|m|h|d|w)$/i;
const ISO = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export const TIME_SPEC_HELP =
  'an ISO 8601 time ("2025-06-01T12:00:00Z"; without a zone, server local time) or a duration back from now ("30s", "10m", "2h", "1d", "1w")';

export function parseTimeSpec(text: string, nowMs: number): number | null {
  const value = text.trim();
  const rel = RELATIVE.exec(value);
  if (rel) return Math.max(0, nowMs - Number(rel[1]) * (UNIT_MS[(rel[2] as string).toLowerCase()] as number));
  if (!ISO.test(value)) return null;
  // Date.parse takes at most milliseconds: drop extra fraction digits (Docker prints nanoseconds).
  const ms = Date.parse(value.replace(' ', 'T').replace(/(\.\d{3})\d+/, '$1'));
  return Number.isFinite(ms) ? Math.max(0, ms) : null;
}

/** Docker's `since`/`until` query form: seconds with a nanosecond fraction. */
export function dockerTimestamp(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const nanos = Math.round((ms - seconds * 1000) * 1e6);
  return `${seconds}.${String(nanos).padStart(9, '0')}`;
}
