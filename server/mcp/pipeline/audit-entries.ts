import { randomUUID } from 'node:crypto';
import type { AuditEntry, AuditRecord } from '../../safety/audit/audit-record.js';
import { errorCode } from '../../errors/to-tool-result.js';
import { ToolError } from '../../errors/tool-error.js';
import { redact } from '../../util/redact.js';
import { boundMessage, type ArgsDigest } from './audit-bounds.js';
import type { Decision, ToolCall } from './tool-call.js';

/** A tool-call record; `argsSha256` and `argsBytes` when its arguments were shortened (audit-bounds.ts). */
type CallRecord = AuditRecord & Partial<ArgsDigest>;

/**
 * Appends one record for this call. Writing calls wait for it to be durable. Returns false (and
 * logs) when the log cannot be written, so the caller decides what that means.
 */
export async function appendAudit(call: ToolCall, entry: AuditEntry): Promise<boolean> {
  try {
    await call.env.audit.append(entry, call.writing);
    return true;
  } catch (err) {
    call.env.deps.log.error('audit append failed', { tool: call.tool.name, err });
    return false;
  }
}

const about = (call: ToolCall) => ({
  principal: call.caller.principal.name,
  client: call.caller.client,
  session: call.caller.sessionTag,
  tool: call.tool.name,
  args: call.redactedArgs,
  ...call.argsDigest,
});

/** The intent record: written before the tool runs, or together with the outcome of a refusal. */
export async function writeIntent(call: ToolCall, decision: Decision): Promise<boolean> {
  const record: CallRecord = {
    ...about(call),
    id: call.intentId,
    time: new Date().toISOString(),
    stage: 'intent',
    target: call.target,
    decision,
    ...(call.confirmation ? { confirmation: call.confirmation } : {}),
  };
  const ok = await appendAudit(call, record);
  call.intentWritten ||= ok;
  return ok;
}

/** The outcome record: what happened, linked to the intent. */
export async function writeOutcome(
  call: ToolCall,
  decision: Decision,
  err: unknown,
  durationMs: number,
): Promise<void> {
  const record: CallRecord = {
    ...about(call),
    id: randomUUID(),
    intent: call.intentId,
    time: new Date().toISOString(),
    stage: 'outcome',
    target: call.target,
    decision,
    ...(call.confirmation ? { confirmation: call.confirmation } : {}),
    result:
      err === null
        ? { status: 'ok', code: null, message: null }
        : { status: 'error', code: errorCode(err), message: boundMessage(redact(messageOf(err))) },
    durationMs: Math.round(durationMs * 10) / 10,
  };
  await appendAudit(call, record);
}

/** An event record about this call (confirmation prompts, refusals, declines). */
export async function writeEvent(
  call: ToolCall,
  event: string,
  details: Record<string, unknown>,
): Promise<void> {
  await appendAudit(call, {
    id: randomUUID(),
    time: new Date().toISOString(),
    stage: 'event',
    principal: call.caller.principal.name,
    event,
    tool: call.tool.name,
    target: call.target,
    session: call.caller.sessionTag,
    details,
  });
}

function messageOf(err: unknown): string {
  return err instanceof ToolError ? err.message : 'unexpected error (see the sidecar log)';
}
