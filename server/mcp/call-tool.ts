import { randomUUID } from 'node:crypto';
import type { CallAnswer } from '../vocabulary.js';
import type { AnyTool } from '../tools/define-tool.js';
import { redact } from '../util/redact.js';
import { boundArgs } from './pipeline/audit-bounds.js';
import { compose } from './pipeline/compose.js';
import { recordOutcome } from './pipeline/record-outcome.js';
import { limitRate } from './pipeline/limit-rate.js';
import { limitConcurrency } from './pipeline/limit-concurrency.js';
import { checkAccess } from './pipeline/check-access.js';
import { validateArgs } from './pipeline/validate-args.js';
import { resolveTarget } from './pipeline/resolve-target.js';
import { applyFilters } from './pipeline/apply-filters.js';
import { runPreflight } from './pipeline/run-preflight.js';
import { confirm } from './pipeline/confirm.js';
import { recordIntent } from './pipeline/record-intent.js';
import { shapeResult } from './pipeline/shape-result.js';
import { checkOutput } from './pipeline/check-output.js';
import { lockTarget } from './pipeline/lock-target.js';
import { limitTime } from './pipeline/limit-time.js';
import { runTool } from './pipeline/run-tool.js';
import type { CallEnv, Caller, CallRequest, ToolCall } from './pipeline/tool-call.js';

/**
 * The one path every tool call takes, outermost step first. Tools never apply policy or audit
 * themselves; every refusal, at whatever step, leaves an intent and an outcome record, except a call
 * over its token's rate limit: those are recorded as one summary per token per second (limitRate).
 */
const pipeline = compose<CallAnswer>(
  recordOutcome, // outcome record and metrics for every call (and the intent of a refused one)
  limitRate, //     calls per second per token (refusals audited as one summary a second)
  limitConcurrency, // calls running at once, all tokens together ("busy" beyond)
  checkAccess, //   read-only mode, toolsets, token scope
  validateArgs, //  strict input schema; confirmation arguments taken aside
  resolveTarget, // name, ID or ID prefix → the real container/VM/network
  applyFilters, //  allow/deny filters and protection, on the resolved name
  runPreflight, //  the tool's own refusals, before anyone is asked to confirm
  confirm, //       writing tools: none, agent token, or the owner's approval
  recordIntent, //  no audit, no action
)(
  shapeResult(
    compose<unknown>(
      checkOutput, // the output matches the tool's schema
      lockTarget, //  one change at a time per container or VM
      limitTime, //   timeout and client cancellation
    )(runTool),
  ),
);

/** Runs one tool call for a session. */
export function callTool(env: CallEnv, tool: AnyTool, caller: Caller, req: CallRequest): Promise<CallAnswer> {
  // Redacted and bounded once here: the intent, the outcome and a pending approval all keep these.
  const bounded = boundArgs(redact((req.args ?? {}) as Record<string, unknown>));
  const call: ToolCall = {
    env,
    tool,
    caller,
    req,
    settings: env.settings(),
    started: performance.now(),
    intentId: randomUUID(),
    writing: !tool.annotations.readOnlyHint,
    redactedArgs: bounded.args,
    ...(bounded.digest ? { argsDigest: bounded.digest } : {}),
    args: {},
    target: null,
    resolved: null,
    intentWritten: false,
    signal: req.signal,
  };
  return pipeline(call);
}
