import type { CallToolResult } from '@modelcontextprotocol/server';
import type { CallAnswer } from '../../vocabulary.js';
import type { AnyTool } from '../../tools/define-tool.js';
import type { ToolDeps } from '../../tools/context.js';
import type { Principal } from '../../tokens/token-authenticator.js';
import type { Settings } from '../../config/settings.js';
import type { CompiledPolicy } from '../../config/policy/compile-policy.js';
import type { TargetResolver } from '../../backends/target-resolver.js';
import type { Metrics } from '../../metrics.js';
import type { AuditEntry, AuditRecord } from '../../safety/audit/audit-record.js';
import type { ConfirmRecord, ConfirmStores, ElicitAnswer } from '../../safety/confirm/confirm-call.js';
import type { PendingConfirmation } from '../../safety/confirm/pending-approvals.js';
import type { ConfirmRounds } from '../rounds/confirm-rounds.js';
import type { KeyedMutex } from '../../util/keyed-mutex.js';
import type { ResolvedTarget, TargetRef } from '../../vocabulary.js';
import type { InflightTracker } from '../inflight.js';
import type { ArgsDigest } from './audit-bounds.js';

/** Everything the pipeline needs that outlives one call. */
export interface CallEnv {
  deps: ToolDeps;
  audit: { append(entry: AuditEntry, durable: boolean): Promise<unknown> };
  metrics: Metrics;
  settings: () => Settings;
  policy: () => CompiledPolicy;
  resolver: TargetResolver;
  confirmations: ConfirmStores;
  /** Serialises mutations of one container or VM. */
  locks: KeyedMutex;
  inflight: InflightTracker;
}

/** Who is calling, from the session. */
export interface Caller {
  principal: Principal;
  client: { name: string; version: string } | null;
  /** SHA-256 prefix of the MCP session id (computed once per session): correlates calls in the audit log. */
  sessionTag: string | null;
  /** How the user can be asked through the client (elicitation), when the client declared it. */
  elicit: CallerPrompt | null;
  /**
   * Present when the client takes tasks (2026-07-28 Tasks extension): an approval the owner has not
   * decided yet is handed to a task that finishes the call once the owner decides.
   */
  deferApproval: ((entry: PendingConfirmation, call: ToolCall) => Promise<CallAnswer>) | null;
}

/** 2025 revisions ask within the call (push); 2026-07-28 asks across calls (round, see ConfirmRounds). */
export type CallerPrompt =
  | { kind: 'push'; ask: (message: string, signal: AbortSignal) => Promise<ElicitAnswer> }
  | { kind: 'round'; rounds: ConfirmRounds; state: string | undefined; responses: unknown };

export interface CallRequest {
  args: unknown;
  signal: AbortSignal;
  progress: (progress: number, total?: number, message?: string) => Promise<void>;
}

export type Decision = AuditRecord['decision'];
export const ALLOWED: Decision = { allowed: true, rule: null };

/** The audit log's view of a target: what the caller gave, and what it resolved to. */
export type AuditTarget = TargetRef & { id?: string; name?: string };

/**
 * One tool call as it travels through the pipeline. Each step reads what the steps before it
 * established and adds its own part (validated arguments, resolved target, confirmation record).
 */
export interface ToolCall {
  readonly env: CallEnv;
  readonly tool: AnyTool;
  readonly caller: Caller;
  readonly req: CallRequest;
  /** The settings in force when the call arrived; the whole call uses this one snapshot. */
  readonly settings: Settings;
  readonly started: number;
  /** Links the outcome record to the intent record. */
  readonly intentId: string;
  readonly writing: boolean;
  /** The arguments as given, secrets redacted and bounded in size (audit-bounds.ts): what the audit log keeps. */
  readonly redactedArgs: Record<string, unknown>;
  /** Hash and size of the whole redacted arguments, when `redactedArgs` had to leave something out. */
  readonly argsDigest?: ArgsDigest;
  /** Validated arguments, without the confirmation arguments (set by validateArgs). */
  args: Record<string, unknown>;
  confirmationToken?: string;
  confirmationId?: string;
  /** The target for the audit log: as declared, then as resolved. */
  target: AuditTarget | null;
  resolved: ResolvedTarget | null;
  confirmation?: ConfirmRecord;
  intentWritten: boolean;
  /** The signal the tool runs under: the client's, then the deadline's (set by limitTime). */
  signal: AbortSignal;
  /**
   * The tool's own work, as limitTime started it: it can outlive the answer (a deadline answers
   * "timeout" while a tool that ignores its signal keeps going), so lockTarget holds the lock until
   * this settles too.
   */
  work?: RunningWork;
}

/** The tool's run as limitTime started it, and whether it has ended. */
export interface RunningWork {
  promise: Promise<unknown> | null;
  ended: boolean;
}

export type Handler<R> = (call: ToolCall) => Promise<R>;
/** One step of the pipeline: wraps the rest of it. */
export type Step<R> = (next: Handler<R>) => Handler<R>;

/** The result of a tool's own run, before it is checked and shaped. */
export type RunHandler = Handler<unknown>;
export type CallHandler = Handler<CallToolResult>;
