import { createHash, randomUUID } from 'node:crypto';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { AnyTool, TargetRef } from '../tools/define-tool.js';
import type { ToolDeps } from '../tools/context.js';
import type { Principal } from '../tokens/token-authenticator.js';
import type { Settings } from '../config/settings.js';
import type { Metrics } from '../http/metrics.js';
import type { AuditWriter } from '../safety/audit/audit-writer.js';
import type { AuditRecord } from '../safety/audit/audit-record.js';
import { whyUnavailable } from '../safety/select-tools.js';
import { redact } from '../safety/redact.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { PolicyDeniedError } from '../errors/policy-denied-error.js';
import { ToolError } from '../errors/tool-error.js';
import { errorCode, toToolResult } from '../errors/to-tool-result.js';
import { capResult } from './cap-result.js';
import type { InflightTracker } from './inflight.js';
import { describeZodError } from './describe-zod-error.js';

/** Everything the wrapper needs that outlives one call. */
export interface CallEnv {
  deps: ToolDeps;
  audit: AuditWriter;
  metrics: Metrics;
  settings: () => Settings;
  inflight: InflightTracker;
}

/** Who is calling, from the session. */
export interface Caller {
  principal: Principal;
  client: { name: string; version: string } | null;
  sessionId: string | undefined;
}

export interface CallRequest {
  args: unknown;
  signal: AbortSignal;
  progress: (progress: number, total?: number, message?: string) => Promise<void>;
}

/**
 * The one wrapper every tool call goes through: policy → validation → audit intent → run with
 * timeout and cancellation → output check → audit outcome → capped structuredContent + text.
 * Tools never apply policy or audit themselves.
 */
export async function callTool(env: CallEnv, tool: AnyTool, caller: Caller, req: CallRequest): Promise<CallToolResult> {
  const started = performance.now();
  const settings = env.settings();
  const base = {
    principal: caller.principal.name,
    client: caller.client,
    session: caller.sessionId ? createHash('sha256').update(caller.sessionId).digest('hex').slice(0, 16) : null,
    tool: tool.name,
    args: redact(req.args ?? {}),
  };
  const durable = !tool.annotations.readOnlyHint;
  const intentId = randomUUID();
  let target: TargetRef | null = null;

  const record = async (err: unknown, outcome: string, decision: AuditRecord['decision'], data?: CallToolResult) => {
    const ms = performance.now() - started;
    env.metrics.toolCalls.inc({ tool: tool.name, outcome });
    env.metrics.toolDuration.observe({ tool: tool.name }, ms / 1000);
    await appendOrLog(
      env,
      {
        ...base,
        id: randomUUID(),
        intent: intentId,
        time: new Date().toISOString(),
        stage: 'outcome',
        target,
        decision,
        result: err === null ? { status: 'ok', code: null, message: null } : { status: 'error', code: errorCode(err), message: redact(messageOf(err)) },
        durationMs: Math.round(ms * 10) / 10,
      },
      durable,
    );
    return data ?? toToolResult(err);
  };
  const writeIntent = (decision: AuditRecord['decision']) =>
    appendOrLog(env, { ...base, id: intentId, time: new Date().toISOString(), stage: 'intent', target, decision }, durable);

  const denial = whyUnavailable(tool, { toolsets: settings.toolsets, readOnly: settings.readOnly, scope: caller.principal.scope });
  if (denial) {
    const decision = { allowed: false, rule: denial.rule };
    await writeIntent(decision);
    return record(new PolicyDeniedError(denial.rule, denial.message), 'denied', decision);
  }

  const parsed = tool.input.safeParse(req.args ?? {});
  if (!parsed.success) {
    const decision = { allowed: false, rule: 'invalid_arguments' };
    await writeIntent(decision);
    return record(new InvalidInputError(`Invalid arguments for ${tool.name}: ${describeZodError(parsed.error)}`), 'invalid', decision);
  }
  const args = parsed.data;
  const allowed = { allowed: true, rule: null };
  target = tool.target?.(args) ?? null;
  // No audit, no action: if the intent cannot be recorded the tool does not run.
  if (!(await writeIntent(allowed))) {
    return toToolResult(new ToolError('audit_unavailable', 'The audit log cannot be written, so unraid-mcp refuses to act. Ask the owner to check the audit directory (disk full or not writable).'));
  }

  try {
    const output: unknown = await runWithTimeout(tool, args, env, req, settings.toolTimeoutMs);
    const checked = tool.output.safeParse(output);
    if (!checked.success) {
      env.deps.log.error('tool output does not match its schema', { tool: tool.name, issues: checked.error.issues });
      throw new Error('output schema mismatch');
    }
    const { data, text } = capResult(redact(checked.data as Record<string, unknown>), settings.responseCapBytes);
    return await record(null, 'ok', allowed, { structuredContent: data, content: [{ type: 'text', text }] });
  } catch (err) {
    if (!(err instanceof ToolError)) env.deps.log.error('tool failed', { tool: tool.name, err });
    return record(err, 'error', allowed);
  }
}

async function runWithTimeout(tool: AnyTool, args: Record<string, unknown>, env: CallEnv, req: CallRequest, timeoutMs: number): Promise<unknown> {
  const signal = AbortSignal.any([req.signal, AbortSignal.timeout(timeoutMs)]);
  const aborted = new Promise<never>((_, reject) => {
    const fail = () =>
      reject(
        req.signal.aborted
          ? new ToolError('cancelled', `${tool.name} was cancelled by the client.`)
          : new ToolError('timeout', `${tool.name} did not finish within ${timeoutMs / 1000} s. The server may be busy; try again later.`),
      );
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
  aborted.catch(() => {});
  return Promise.race([tool.run(args, { deps: env.deps, signal, progress: req.progress }), aborted]);
}

/** Appends a record; a failure is logged and reported as false instead of thrown. */
async function appendOrLog(env: CallEnv, rec: AuditRecord, durable: boolean): Promise<boolean> {
  try {
    await env.audit.append(rec, durable);
    return true;
  } catch (err) {
    env.deps.log.error('audit append failed', { tool: rec.tool, stage: rec.stage, err });
    return false;
  }
}

function messageOf(err: unknown): string {
  return err instanceof ToolError ? err.message : 'unexpected error (see the sidecar log)';
}
