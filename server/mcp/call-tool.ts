import { randomUUID } from 'node:crypto';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { AnyTool } from '../tools/define-tool.js';
import type { ToolContext, ToolDeps } from '../tools/context.js';
import type { Principal } from '../tokens/token-authenticator.js';
import { effectiveConfirmMode, type Settings } from '../config/settings.js';
import type { CompiledPolicy } from '../config/policy/compile-policy.js';
import type { TargetResolver } from '../backends/target-resolver.js';
import type { Metrics } from '../metrics.js';
import type { AuditEntry, AuditRecord } from '../safety/audit/audit-record.js';
import { confirmCall, type ConfirmRecord, type ConfirmStores, type ElicitAnswer } from '../safety/confirm/confirm-call.js';
import { argsHash } from '../safety/confirm/args-hash.js';
import { whyUnavailable } from '../safety/select-tools.js';
import { redact } from '../util/redact.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { PolicyDeniedError } from '../errors/policy-denied-error.js';
import { ToolError } from '../errors/tool-error.js';
import { errorCode, toToolResult } from '../errors/to-tool-result.js';
import type { KeyedMutex } from '../util/keyed-mutex.js';
import { capResult } from './cap-result.js';
import { describeZodError } from './describe-zod-error.js';
import { auditTarget, targetDenial, type AuditTarget } from './check-target.js';
import { runWithTimeout } from './run-with-timeout.js';
import type { InflightTracker } from './inflight.js';
import type { ResolvedTarget } from '../vocabulary.js';

/** Everything the wrapper needs that outlives one call. */
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
  /** Asks the user through the client (elicitation), when the client declared it. */
  elicit: ((message: string, signal: AbortSignal) => Promise<ElicitAnswer>) | null;
}

export interface CallRequest {
  args: unknown;
  signal: AbortSignal;
  progress: (progress: number, total?: number, message?: string) => Promise<void>;
}

type Decision = AuditRecord['decision'];

/**
 * The one wrapper every tool call goes through: selection (scope, read-only, toolset) → strict
 * validation → target resolution → filters and protection on the resolved name → confirmation →
 * audit intent → run (per-target lock, timeout, cancellation) → output check → audit outcome →
 * capped structuredContent + text. Tools never apply policy or audit themselves, and every path,
 * including each refusal, leaves an intent and an outcome record.
 */
export async function callTool(env: CallEnv, tool: AnyTool, caller: Caller, req: CallRequest): Promise<CallToolResult> {
  const started = performance.now();
  const settings = env.settings();
  const writing = !tool.annotations.readOnlyHint;
  const intentId = randomUUID();
  const base = {
    principal: caller.principal.name,
    client: caller.client,
    session: caller.sessionTag,
    tool: tool.name,
    args: redact(req.args ?? {}),
  };
  let target: AuditTarget | null = null;
  let confirmation: ConfirmRecord | undefined;

  const append = async (entry: AuditEntry): Promise<boolean> => {
    try {
      await env.audit.append(entry, writing);
      return true;
    } catch (err) {
      env.deps.log.error('audit append failed', { tool: tool.name, err });
      return false;
    }
  };
  const intent = (decision: Decision) => append({ ...base, id: intentId, time: new Date().toISOString(), stage: 'intent', target, decision, ...(confirmation ? { confirmation } : {}) });
  const outcome = async (decision: Decision, metric: string, err: unknown, result?: CallToolResult): Promise<CallToolResult> => {
    const ms = performance.now() - started;
    env.metrics.toolCalls.inc({ tool: tool.name, outcome: metric });
    env.metrics.toolDuration.observe({ tool: tool.name }, ms / 1000);
    await append({
      ...base,
      id: randomUUID(),
      intent: intentId,
      time: new Date().toISOString(),
      stage: 'outcome',
      target,
      decision,
      ...(confirmation ? { confirmation } : {}),
      result: err === null ? { status: 'ok', code: null, message: null } : { status: 'error', code: errorCode(err), message: redact(messageOf(err)) },
      durationMs: Math.round(ms * 10) / 10,
    });
    return result ?? toToolResult(err);
  };
  /** A call that stops before acting: its intent and outcome are written together. */
  const refuse = async (decision: Decision, metric: string, err: unknown, result?: CallToolResult) => {
    await intent(decision);
    return outcome(decision, metric, err, result);
  };

  const denial = whyUnavailable(tool, { toolsets: settings.toolsets, readOnly: settings.readOnly, scope: caller.principal.scope });
  if (denial) return refuse({ allowed: false, rule: denial.rule }, 'denied', new PolicyDeniedError(denial.rule, denial.message));

  const parsed = tool.inputWithConfirmation.safeParse(req.args ?? {});
  if (!parsed.success) {
    return refuse({ allowed: false, rule: 'invalid_arguments' }, 'invalid', new InvalidInputError(`Invalid arguments for ${tool.name}: ${describeZodError(parsed.error)}`));
  }
  const { confirmation_token: token, confirmation_id: confirmationId, ...args } = parsed.data as Record<string, unknown> & { confirmation_token?: string; confirmation_id?: string };

  const declared = tool.target?.(args) ?? null;
  let resolved: ResolvedTarget | null = null;
  if (declared) {
    target = declared;
    try {
      resolved = await env.resolver.resolve(declared, req.signal);
    } catch (err) {
      return refuse({ allowed: false, rule: 'target' }, 'error', err);
    }
    target = auditTarget(declared, resolved);
    const denied = targetDenial(tool, resolved, env.policy());
    if (denied) return refuse({ allowed: false, rule: denied.rule }, 'denied', denied);
  }
  const allowed: Decision = { allowed: true, rule: null };
  const toolContext = (signal: AbortSignal): ToolContext => ({
    deps: env.deps,
    signal,
    progress: req.progress,
    target: resolved,
    responseCapBytes: settings.responseCapBytes,
    visible: (kind: 'container' | 'vm', name: string) => env.policy().visible(kind, name),
  });

  if (tool.preflight) {
    try {
      await tool.preflight(args, toolContext(req.signal));
    } catch (err) {
      const rule = err instanceof PolicyDeniedError ? err.rule : 'preflight';
      return refuse({ allowed: false, rule }, err instanceof PolicyDeniedError ? 'denied' : 'invalid', err);
    }
  }

  if (writing) {
    let description: string;
    try {
      description = await describe(tool, args, resolved, toolContext(req.signal));
    } catch (err) {
      return refuse({ allowed: false, rule: 'preflight' }, err instanceof PolicyDeniedError ? 'denied' : 'error', err);
    }
    const confirmed = await confirmCall(
      {
        mode: effectiveConfirmMode(settings, tool),
        tool: tool.name,
        binding: { tokenId: caller.principal.tokenId, tool: tool.name, target: resolved ? `${resolved.kind}:${resolved.id}` : 'host', argsHash: argsHash(args) },
        principal: caller.principal.name,
        client: caller.client,
        target: resolved,
        redactedArgs: base.args,
        description,
        token,
        confirmationId,
        timings: settings,
        elicit: caller.elicit && ((message) => (caller.elicit as NonNullable<Caller['elicit']>)(message, req.signal)),
        progress: req.progress,
        signal: req.signal,
        audit: async (event, details) => {
          await append({ id: randomUUID(), time: new Date().toISOString(), stage: 'event', principal: base.principal, event, tool: tool.name, target, session: base.session, details });
        },
      },
      env.confirmations,
    );
    confirmation = confirmed.record;
    if (!confirmed.proceed) return refuse(allowed, 'confirmation', new ToolError('confirmation', 'confirmation required'), confirmed.result);
  }

  // No audit, no action: if the intent cannot be recorded the tool does not run.
  if (!(await intent(allowed))) {
    return toToolResult(new ToolError('audit_unavailable', 'The audit log cannot be written, so unraid-mcp refuses to act. Ask the owner to check the audit directory (disk full or not writable).'));
  }
  try {
    const run = () => runWithTimeout(tool.name, req.signal, Math.max(settings.toolTimeoutMs, tool.timeoutMs ?? 0), (signal) => tool.run(args, toolContext(signal)));
    const output: unknown = writing && resolved ? await env.locks.run(`${resolved.kind}:${resolved.id}`, run) : await run();
    const checked = tool.output.safeParse(output);
    if (!checked.success) {
      env.deps.log.error('tool output does not match its schema', { tool: tool.name, issues: checked.error.issues });
      throw new Error('output schema mismatch');
    }
    const { data, text } = capResult(redact(checked.data as Record<string, unknown>), settings.responseCapBytes);
    return await outcome(allowed, 'ok', null, { structuredContent: data, content: [{ type: 'text', text }] });
  } catch (err) {
    if (!(err instanceof ToolError)) env.deps.log.error('tool failed', { tool: tool.name, err });
    return outcome(allowed, 'error', err);
  }
}

async function describe(tool: AnyTool, args: Record<string, unknown>, target: ResolvedTarget | null, ctx: ToolContext): Promise<string> {
  if (tool.describe) return tool.describe(args, target, ctx);
  const on = target ? ` on ${target.kind} "${target.name}" (${target.id.slice(0, 12)})` : '';
  return `${tool.title}${on} with arguments ${JSON.stringify(redact(args))}.`;
}

function messageOf(err: unknown): string {
  return err instanceof ToolError ? err.message : 'unexpected error (see the sidecar log)';
}
