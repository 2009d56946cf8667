import { outcomeOf, type StoredRecord } from './audit-record.js';

/** What the audit viewer can ask for. Every field narrows; an empty filter matches everything. */
export interface AuditFilter {
  /** ISO time or Date; inclusive. */
  from?: string | Date;
  /** ISO time or Date; exclusive. */
  to?: string | Date;
  tool?: string;
  principal?: string;
  stage?: 'intent' | 'outcome' | 'event';
  /** Event name, e.g. "confirmation.denied" (only event records have one). */
  event?: string;
  /** Outcome records only: "ok", "error", "denied", or an error code such as "timeout". */
  outcome?: string;
  /** Case-insensitive substring of the target as "kind:ref" (or its name/id). */
  target?: string;
  /** Case-insensitive substring of the whole stored line. */
  text?: string;
}

const OUTCOME_PATTERN = new Map([
  ['denied', '"allowed":false'],
  ['ok', '"status":"ok"'],
  ['error', '"status":"error"'],
]);

/** A filter compiled once per query: a cheap test on the raw bytes, then an exact one on the record. */
export interface CompiledFilter {
  /** Necessary condition on the raw line; false means the record cannot match. */
  maybe(line: Buffer): boolean;
  matches(rec: StoredRecord, line: string): boolean;
  /**
   * Patterns of which every matching line holds at least one, rare enough to search a whole chunk
   * for (a tool, principal or event name; an outcome's decision or code); null when no such
   * pattern narrows much (no filter, only a stage, only free text) and every line is looked at.
   */
  jump: Buffer[] | null;
  fromMs: number | null;
  toMs: number | null;
}

/**
 * Stored lines are canonical JSON (sorted keys, no whitespace), so `"tool":"docker_stop"` occurs in a
 * line exactly when that key/value pair does (a quote inside a string is always escaped): the raw
 * test rejects most lines of a selective query without parsing them.
 */
export function compileFilter(f: AuditFilter): CompiledFilter {
  const needles: Buffer[] = [];
  const pair = (key: string, value: string | undefined) => {
    if (value !== undefined) needles.push(Buffer.from(`"${key}":${JSON.stringify(value)}`));
  };
  pair('tool', f.tool);
  pair('principal', f.principal);
  pair('event', f.event);
  // Longest first: the most specific pattern is the one a chunk is searched for.
  needles.sort((a, b) => b.length - a.length);
  const first = needles[0];
  pair('stage', f.stage);
  // Byte patterns of which a line needs at least one: an outcome is its decision or status (see
  // outcomeOf) or an error code. Without them half of all lines (every outcome record) would be
  // parsed to find a rare denied one.
  let oneOf: Buffer[] | null = null;
  if (f.outcome !== undefined) {
    needles.push(Buffer.from('"stage":"outcome"'));
    const primary = OUTCOME_PATTERN.get(f.outcome);
    oneOf = [Buffer.from(`"code":${JSON.stringify(f.outcome)}`)];
    if (primary) oneOf.push(Buffer.from(primary));
  }
  const jump = first ? [first] : oneOf;
  const text = f.text?.toLowerCase();
  const asciiText = text !== undefined && /^[\x20-\x7e]*$/.test(text) ? text : null;
  const target = f.target?.toLowerCase();
  const fromMs = toMs(f.from, 'from');
  const endMs = toMs(f.to, 'to');
  return {
    fromMs,
    toMs: endMs,
    jump,
    maybe: (line) =>
      needles.every((n) => line.includes(n)) &&
      (!oneOf || oneOf.some((n) => line.includes(n))) &&
      (asciiText === null || mayContainText(line, asciiText)),
    matches(rec, line) {
      if (f.tool !== undefined && rec.tool !== f.tool) return false;
      if (f.principal !== undefined && rec.principal !== f.principal) return false;
      if (f.stage !== undefined && rec.stage !== f.stage) return false;
      if (f.event !== undefined && (rec.stage !== 'event' || rec.event !== f.event)) return false;
      if (f.outcome !== undefined) {
        const o = outcomeOf(rec);
        if (o === null || (o !== f.outcome && (rec.stage !== 'outcome' || rec.result?.code !== f.outcome)))
          return false;
      }
      if (target !== undefined && !targetText(rec).includes(target)) return false;
      if (fromMs !== null || endMs !== null) {
        const t = Date.parse(rec.time);
        if (fromMs !== null && !(t >= fromMs)) return false;
        if (endMs !== null && !(t < endMs)) return false;
      }
      if (text !== undefined && !line.toLowerCase().includes(text)) return false;
      return true;
    },
  };
}

/**
 * Free text is matched case-insensitively on the decoded line (matches()); this cheaper test on
 * the bytes spares parsing the lines that cannot match. Only for ASCII text, and a line with any
 * non-ASCII byte passes (a few characters, like the Kelvin sign, lowercase to ASCII letters).
 */
function mayContainText(line: Buffer, text: string): boolean {
  const latin1 = line.toString('latin1');
  if (latin1.toLowerCase().includes(text)) return true;
  return /[^\x00-\x7f]/.test(latin1);
}

function targetText(rec: StoredRecord): string {
  const t = rec.target as { kind?: unknown; ref?: unknown; name?: unknown; id?: unknown } | null | undefined;
  if (!t) return '';
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  return [`${str(t.kind)}:${str(t.ref)}`, str(t.name), str(t.id)].join('\n').toLowerCase();
}

function toMs(v: string | Date | undefined, field: string): number | null {
  if (v === undefined) return null;
  const ms = v instanceof Date ? v.getTime() : Date.parse(v);
  if (Number.isNaN(ms)) throw new RangeError(`audit query: "${field}" is not a valid time`);
  return ms;
}

const TIME_KEY = Buffer.from('"time":"');

/**
 * The record's top-level `time` without parsing the line: in canonical JSON every nested object
 * comes before the top-level "time" key (a–t), and only "tool" and "hash" (plain strings) after it,
 * so its last occurrence is the top-level one. NaN when absent.
 */
export function fastTimeMs(line: Buffer): number {
  const i = line.lastIndexOf(TIME_KEY);
  if (i < 0) return NaN;
  const start = i + TIME_KEY.length;
  const end = line.indexOf(0x22, start);
  return end < 0 ? NaN : Date.parse(line.toString('latin1', start, end));
}
