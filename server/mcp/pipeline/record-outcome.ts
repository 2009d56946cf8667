import type { CallAnswer } from '../../vocabulary.js';
import { toToolResult } from '../../errors/to-tool-result.js';
import { ToolError } from '../../errors/tool-error.js';
import { writeIntent, writeOutcome } from './audit-entries.js';
import { AuditUnavailable } from './record-intent.js';
import { Refusal } from './refusal.js';
import { ALLOWED, type Decision, type Step, type ToolCall } from './tool-call.js';

/**
 * The outermost step: every call leaves a metric and, whatever happened inside, an outcome record.
 * A call refused before its intent was written gets both records here, together; an unexpected
 * error before the intent is recorded as refused (rule "error"), never as allowed. Only a call whose
 * intent could not be written leaves no record (the log is unwritable; nothing ran): its metric
 * outcome is "audit_unavailable", so /metrics still shows it. A call over its token's rate limit
 * leaves no records of its own either: limitRate records such calls in a summary (one record per
 * token per second at most), so a flood of them cannot push the history out of the log.
 */
export const recordOutcome: Step<CallAnswer> = (next) => async (call) => {
  let decision: Decision = ALLOWED;
  let metric = 'ok';
  let error: unknown = null;
  let result: CallAnswer | undefined;
  try {
    result = await next(call);
  } catch (err) {
    if (err instanceof AuditUnavailable) {
      count(call, 'audit_unavailable');
      return toToolResult(err);
    }
    if (err instanceof Refusal) {
      // The refusing step has put this call on record in a summary of its own.
      if (err.audit === 'summarised') {
        count(call, err.metric);
        return err.result ?? toToolResult(err.error);
      }
      ({ decision, metric, error, result } = err);
    } else {
      metric = 'error';
      error = err;
      if (!call.intentWritten) decision = { allowed: false, rule: 'error' };
      if (!(err instanceof ToolError)) call.env.deps.log.error('tool failed', { tool: call.tool.name, err });
    }
    if (!call.intentWritten) await writeIntent(call, decision);
  }
  const ms = count(call, metric);
  await writeOutcome(call, decision, error, ms);
  return result ?? toToolResult(error);
};

/** Counts the call under `outcome` and observes its duration; returns the duration in ms. */
function count(call: ToolCall, outcome: string): number {
  const ms = performance.now() - call.started;
  call.env.metrics.toolCalls.inc({ tool: call.tool.name, outcome });
  call.env.metrics.callsLastHour.add();
  call.env.metrics.toolDuration.observe({ tool: call.tool.name }, ms / 1000);
  return ms;
}
