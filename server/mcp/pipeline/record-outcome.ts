import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { toToolResult } from '../../errors/to-tool-result.js';
import { ToolError } from '../../errors/tool-error.js';
import { writeIntent, writeOutcome } from './audit-entries.js';
import { AuditUnavailable } from './record-intent.js';
import { Refusal } from './refusal.js';
import { ALLOWED, type Decision, type Step } from './tool-call.js';

/**
 * The outermost step: every call leaves an outcome record and a metric, whatever happened inside.
 * A call refused before its intent was written gets both records here, together. Only a call whose
 * intent could not be written at all leaves nothing (the log is unwritable; nothing ran).
 */
export const recordOutcome: Step<CallToolResult> = (next) => async (call) => {
  let decision: Decision = ALLOWED;
  let metric = 'ok';
  let error: unknown = null;
  let result: CallToolResult | undefined;
  try {
    result = await next(call);
  } catch (err) {
    if (err instanceof AuditUnavailable) return toToolResult(err);
    if (err instanceof Refusal) {
      ({ decision, metric, error, result } = err);
    } else {
      metric = 'error';
      error = err;
      if (!(err instanceof ToolError)) call.env.deps.log.error('tool failed', { tool: call.tool.name, err });
    }
    if (!call.intentWritten) await writeIntent(call, decision);
  }
  const ms = performance.now() - call.started;
  call.env.metrics.toolCalls.inc({ tool: call.tool.name, outcome: metric });
  call.env.metrics.toolDuration.observe({ tool: call.tool.name }, ms / 1000);
  await writeOutcome(call, decision, error, ms);
  return result ?? toToolResult(error);
};
