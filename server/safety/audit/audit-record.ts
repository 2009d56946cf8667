import type { TargetRef } from '../../tools/define-tool.js';

/**
 * One line of the audit log. An `intent` record is written before a tool touches anything and an
 * `outcome` record after, so a crash mid-operation still leaves the intent behind.
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
  result?: { status: 'ok' | 'error'; code: string | null; message: string | null };
  durationMs?: number;
  /** Id of the intent record this outcome closes. */
  intent?: string;
}
