import type { TargetRef } from '../../vocabulary.js';

/**
 * One tool-call line of the audit log. An `intent` record is written before a tool touches anything
 * and an `outcome` record after, so a crash mid-operation still leaves the intent behind.
 */
export interface AuditRecord {
  id: string;
  time: string;
  stage: 'intent' | 'outcome';
  /** Token label (never the token) or "cli"/"webgui" for owner actions. */
  principal: string;
  client: { name: string; version: string } | null;
  /** SHA-256 prefix of the MCP session id: correlates calls without making the id reusable. */
  session: string | null;
  tool: string;
  target: TargetRef | null;
  args: unknown;
  decision: { allowed: boolean; rule: string | null };
  /** How a destructive call was confirmed, when it needed confirming. */
  confirmation?: { mode: string; outcome: string };
  result?: { status: 'ok' | 'error'; code: string | null; message: string | null };
  durationMs?: number;
  /** Id of the intent record this outcome closes. */
  intent?: string;
}

/**
 * A line that is not a tool call: admin changes, confirmation prompts/approvals/denials/expiry/replay
 * attempts, and the log's own housekeeping (recovery, rotation, relocation). Kept in the same chain
 * so removing one is as visible as removing a tool call.
 */
export interface AuditEvent {
  id: string;
  time: string;
  stage: 'event';
  /** "webgui" or "cli" for owner actions, a token label for agent-caused events, "system" for the sidecar itself. */
  principal: string;
  /** Dotted name, e.g. "settings.changed", "confirmation.denied", "audit.recovered". */
  event: string;
  tool?: string;
  target?: TargetRef | null;
  session?: string | null;
  /** Already redacted by the caller, like a tool record's args. */
  details: Record<string, unknown>;
}

/** What callers hand to `AuditLog.append`. */
export type AuditEntry = AuditRecord | AuditEvent;

/** Where a re-chained record sat in the chain it was first written to (see audit-relocation.ts). */
export interface AdoptedFrom {
  /** SHA-256 of the source chain's first line: names that chain. */
  chain: string;
  /** Position of the line in the source (1-based, across its files): a rerun resumes after it. */
  n: number;
  /** Original seq and hash, when the source line was a record. */
  seq?: number;
  hash?: string;
}

/** Tamper-evidence fields the writer adds (see hash-chain.ts). */
export interface ChainFields {
  /** 1, 2, 3, … across every file of the log, rotated or not. */
  seq: number;
  /** `hash` of the record before this one; 64 zeros for the first record ever. */
  prev: string;
  hash: string;
  adopted?: AdoptedFrom;
}

/** A record as it is stored: an entry plus its chain fields. */
export type StoredRecord = AuditEntry & ChainFields;

/** The tool-call outcome the query filter calls `outcome`: ok, error, denied (plus the error code). */
export function outcomeOf(rec: StoredRecord): string | null {
  if (rec.stage !== 'outcome') return null;
  if (!rec.decision.allowed) return 'denied';
  return rec.result?.status ?? null;
}
