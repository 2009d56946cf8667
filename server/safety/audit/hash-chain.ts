import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import type { AdoptedFrom, AuditEntry, StoredRecord } from './audit-record.js';

/** `prev` of the first record ever written. */
export const GENESIS = '0'.repeat(64);

/** Where the chain stands: the last record's seq and hash (0 and GENESIS before the first record). */
export interface ChainTail {
  seq: number;
  hash: string;
}

/** One serialised record, ready to append. `line` has no trailing newline. */
export interface ChainedLine {
  seq: number;
  hash: string;
  line: string;
}

/** hash = SHA-256 hex over `prev` followed by the canonical JSON of the record without `hash`. */
export function chainHash(prev: string, canonicalBody: string): string {
  return createHash('sha256').update(prev).update(canonicalBody).digest('hex');
}

/**
 * Serialises an entry as the record after `tail`. The line is the canonical JSON of the record
 * without `hash`, with `"hash":"…"` appended as the last key: one serialisation gives both the
 * hashed bytes and the stored line, and the line stays readable (hash last).
 */
export function chainEntry(entry: AuditEntry, tail: ChainTail, adopted?: AdoptedFrom): ChainedLine {
  const seq = tail.seq + 1;
  const fields: Record<string, unknown> = { ...entry, seq, prev: tail.hash };
  // A stray `hash` key in the entry would appear twice in the line; the chain fields are ours alone.
  if ('hash' in fields) delete fields.hash;
  if (adopted) fields.adopted = adopted;
  else if ('adopted' in fields) delete fields.adopted;
  const body = canonicalJson(fields);
  const hash = chainHash(tail.hash, body);
  return { seq, hash, line: `${body.slice(0, -1)},"hash":"${hash}"}` };
}

/** A shallow copy without seq, prev, hash and adopted. */
export function withoutChainFields(v: Record<string, unknown>): Record<string, unknown> {
  const out = { ...v };
  delete out.seq;
  delete out.prev;
  delete out.hash;
  delete out.adopted;
  return out;
}

/** Result of checking one parsed line on its own (linkage to its neighbours is checked by the caller). */
export type RecordCheck =
  | { ok: true; record: StoredRecord }
  | { ok: false; reason: 'fields' | 'hash'; record: Partial<StoredRecord> | null };

/** Checks that a parsed line has chain fields and that its hash matches its content. */
export function checkRecord(parsed: unknown): RecordCheck {
  if (!isChained(parsed))
    return { ok: false, reason: 'fields', record: parsed && typeof parsed === 'object' ? parsed : null };
  const { hash, ...rest } = parsed;
  if (chainHash(parsed.prev, canonicalJson(rest)) !== hash)
    return { ok: false, reason: 'hash', record: parsed };
  return { ok: true, record: parsed };
}

/** True when a parsed value carries well-formed seq/prev/hash. */
export function isChained(v: unknown): v is StoredRecord {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const r = v as Record<string, unknown>;
  return Number.isSafeInteger(r.seq) && (r.seq as number) > 0 && isHex64(r.prev) && isHex64(r.hash);
}

function isHex64(v: unknown): v is string {
  return typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);
}

/** JSON.parse that returns undefined instead of throwing. */
export function tryParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
